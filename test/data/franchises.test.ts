import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Franchises } from '../../src/data/franchises/franchises.js';
import type { Anime } from '../../src/data/types.js';

interface Labelled {
  franchise: string;
  anime: Anime;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/franchises/titles.json', import.meta.url), 'utf8')) as { titles: Labelled[] };
const titles = fixture.titles;
const anime = titles.map((t) => t.anime);
const labelOf = new Map(titles.map((t) => [t.anime.animeId, t.franchise]));
const id = (title: string): number => {
  const found = anime.find((a) => a.title === title);
  assert.ok(found, `fixture has ${title}`);
  return found.animeId;
};

/**
 * Franchises the title heuristic cannot find, because an entry was renamed outright: relation
 * data (AniList) joins them. Listed so the test fails if the heuristic starts or stops finding them.
 */
const KNOWN_MISSES: ReadonlyArray<[string, string]> = [
  ['Fate/stay night', 'Fate/Zero'],
  ['Bakemonogatari', 'Nisemonogatari'],
  ['Yu-No', 'Kono Yo no Hate de Koi wo Utau Shoujo YU-NO'],
];

describe('franchises from titles (the heuristic a default install uses)', () => {
  const franchises = Franchises.build(anime);
  const same = (a: number, b: number): boolean => franchises.of(a)!.id === franchises.of(b)!.id;

  it('never joins titles of different franchises (the traps: Monster and Monster Musume, Rainbow and Rainbow Days, ...)', () => {
    const wrong: string[] = [];
    for (let i = 0; i < anime.length; i++) {
      for (let j = i + 1; j < anime.length; j++) {
        const a = anime[i]!;
        const b = anime[j]!;
        if (labelOf.get(a.animeId) !== labelOf.get(b.animeId) && same(a.animeId, b.animeId)) wrong.push(`${a.title} + ${b.title}`);
      }
    }
    assert.deepEqual(wrong, []);
    assert.ok(!same(id('Monster'), id('Monster Musume no Iru Nichijou')));
    assert.ok(!same(id('Rainbow: Nisha Rokubou no Shichinin'), id('Nijiiro Days')));
    assert.ok(!same(id('Gakuen Alice'), id('Gakuen Heaven')));
    assert.ok(!same(id('Tokyo Ghoul'), id('Tokyo Magnitude 8.0')));
    assert.ok(!same(id('One Punch Man'), id('One Piece')));
  });

  it('joins every labelled franchise except the listed renamed entries', () => {
    const missed: string[] = [];
    const groups = new Map<string, number[]>();
    for (const t of titles) groups.set(t.franchise, [...(groups.get(t.franchise) ?? []), t.anime.animeId]);
    let pairs = 0;
    for (const members of groups.values()) {
      for (let i = 0; i < members.length; i++) {
        for (let j = i + 1; j < members.length; j++) {
          pairs++;
          if (!same(members[i]!, members[j]!)) missed.push(`${labelOf.get(members[i]!)}: ${anime.find((a) => a.animeId === members[i])!.title} / ${anime.find((a) => a.animeId === members[j])!.title}`);
        }
      }
    }
    assert.ok(pairs > 150, `the fixture has many same-franchise pairs (${pairs})`);
    const missedFranchises = new Set(missed.map((m) => m.split(':')[0]));
    const expected = new Set(KNOWN_MISSES.map(([a]) => labelOf.get(id(a))));
    assert.deepEqual([...missedFranchises].sort(), [...expected].sort(), missed.join('\n'));
    for (const [a, b] of KNOWN_MISSES) assert.ok(!same(id(a), id(b)), `${a} / ${b} is a known miss`);
  });

  it('orders entries by release and starts newcomers at the first full series', () => {
    const steinsGate = franchises.of(id('Steins;Gate'))!;
    assert.equal(steinsGate.name, 'Steins;Gate');
    assert.equal(steinsGate.entries[0], id('Steins;Gate'));
    assert.ok(steinsGate.entries.indexOf(id('Steins;Gate 0')) > steinsGate.entries.indexOf(id('Steins;Gate Movie: Fuka Ryouiki no Déjà vu')));
    assert.deepEqual([...steinsGate.waysIn], [id('Steins;Gate')]);
    // Dated entries are ordered by year: Attack on Titan 2013 before Season 2 (2017).
    assert.deepEqual(franchises.of(id('Shingeki no Kyojin'))!.entries, [id('Shingeki no Kyojin'), id('Shingeki no Kyojin Season 2')]);
    // A franchise whose first entry is a movie still starts at its TV series.
    const clannad = franchises.of(id('Clannad'))!;
    assert.equal(clannad.entries[0], id('Clannad Movie'));
    assert.deepEqual([...clannad.waysIn], [id('Clannad')]);
    assert.equal(clannad.name, 'Clannad');
    // A remake most people start with is a way in too; a sequel with a few more members is not.
    assert.deepEqual([...franchises.of(id('Fullmetal Alchemist'))!.waysIn].sort((a, b) => a - b), [id('Fullmetal Alchemist'), id('Fullmetal Alchemist: Brotherhood')]);
    assert.deepEqual([...franchises.of(id('Hunter x Hunter'))!.waysIn].sort((a, b) => a - b), [id('Hunter x Hunter'), id('Hunter x Hunter (2011)')]);
    assert.deepEqual([...franchises.of(id('Mushishi'))!.waysIn], [id('Mushishi')]);
    assert.deepEqual([...franchises.of(id('One Punch Man'))!.waysIn], [id('One Punch Man')]);
    // A title alone is a franchise of one, and its own way in.
    assert.deepEqual(franchises.of(id('Kimi no Na wa.'))!.entries, [id('Kimi no Na wa.')]);
    assert.equal(franchises.of(123456789), undefined);
  });

  it('lets relations decide for the titles a source gave relations for', () => {
    const withRelations = Franchises.build(anime, [
      { animeId: id('Fate/Zero'), relatedId: id('Fate/stay night'), relation: 'sequel' },
      { animeId: id('Fullmetal Alchemist'), relatedId: id('Fullmetal Alchemist: Brotherhood'), relation: 'alternative_version' },
      // Monster and Monster Extra have relation data, none of which groups them: they are not joined by title.
      { animeId: id('Monster'), relatedId: id('Monster Musume no Iru Nichijou'), relation: 'character' },
      { animeId: id('Monster Extra'), relatedId: id('Monster Musume no Iru Nichijou'), relation: 'other' },
      // Ends outside the catalogue are ignored.
      { animeId: id('Steins;Gate'), relatedId: 999999999, relation: 'sequel' },
    ]);
    const together = (a: string, b: string): boolean => withRelations.of(id(a))!.id === withRelations.of(id(b))!.id;
    assert.ok(together('Fate/Zero', 'Fate/stay night'));
    assert.ok(together('Fate/stay night: Unlimited Blade Works', 'Fate/stay night: Unlimited Blade Works 2nd Season'), 'titles without relations still join by title');
    assert.ok(!together('Fate/stay night', 'Fate/stay night: Unlimited Blade Works'), 'a title with relations is grouped by them alone');
    assert.ok(!together('Monster', 'Monster Extra'));
    assert.ok(!together('Monster', 'Monster Musume no Iru Nichijou'), 'character relations do not group');
    const fma = withRelations.of(id('Fullmetal Alchemist'))!;
    assert.deepEqual([...fma.waysIn].sort((a, b) => a - b), [id('Fullmetal Alchemist'), id('Fullmetal Alchemist: Brotherhood')]);
    assert.equal(withRelations.of(id('Steins;Gate'))!.entries.length, 6);
  });
});
