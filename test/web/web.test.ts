/**
 * End-to-end: Debian's Chromium (playwright-core) against the real server on loopback, with the
 * bundled catalogues, a slice of the bundled ratings and a trained model. Each test does what a
 * person would do (type, click, press keys) and checks what they would see.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES } from '../server/setup.js';
import { cardIds, openPage, startWebWorld, type WebWorld } from './harness.js';

let web: WebWorld;

before(async () => {
  web = await startWebWorld();
});

after(async () => {
  await web?.close();
});

/** Types into the title search and picks the first suggestion with the keyboard. */
async function addTitle(page: import('playwright-core').Page, text: string): Promise<string> {
  const box = page.getByRole('combobox', { name: 'Search titles' });
  await box.fill(text);
  const first = page.getByRole('option').first();
  await first.waitFor();
  const name = (await first.locator('.opt-title').innerText()).trim();
  await box.press('Enter');
  return name;
}

describe('onboarding by titles', () => {
  it('search as you type, add titles with a score, get recommendations, mark one as seen', async () => {
    const { page, errors } = await openPage(web, '/');
    await addTitle(page, 'cowboy bebop');
    await addTitle(page, 'fullmetal alchemist brotherhood');
    await addTitle(page, 'tengen toppa');
    const picks = page.getByRole('list', { name: 'Titles you liked' }).getByRole('listitem');
    assert.equal(await picks.count(), 3);
    await page.getByLabel(/Your score for Cowboy Bebop/).selectOption('10');
    await page.getByRole('button', { name: 'Get recommendations' }).click();

    await page.waitForURL(/\/for-you\?t=/);
    const t = new URL(page.url()).searchParams.get('t')!;
    assert.match(t, /^1:10,5114,2001$/, 'the picks and the score are in the URL');
    await page.locator('article.card').first().waitFor();
    const ids = await cardIds(page);
    assert.ok(ids.length >= 6, `got ${ids.length} cards`);
    for (const picked of [1, 5114, 2001]) assert.ok(!ids.includes(picked), 'picked titles are not recommended back');
    const first = page.locator('article.card').first();
    assert.match(await first.locator('.reason').innerText(), /\w+/);
    assert.match(await first.locator('.meta').innerText(), /TV|Movie|OVA|ONA|Special/);
    await first.locator('.synopsis:not(.sk-text)').waitFor();

    await first.getByRole('button', { name: 'Already seen' }).click();
    await page.waitForURL(new RegExp(`seen=${ids[0]}`));
    await page.getByRole('status').filter({ hasText: 'Marked as seen' }).waitFor();
    await page.locator('.cards:not(.stale) article.card').first().waitFor();
    assert.ok(!(await cardIds(page)).includes(ids[0]!), 'the seen title left the list at once and stays out');
    assert.deepEqual(errors, []);
  });

  it('says so when no title matches', async () => {
    const { page } = await openPage(web, '/');
    await page.getByRole('combobox', { name: 'Search titles' }).fill('zzqxjv wqpz');
    await page.getByText(/No title matches “zzqxjv wqpz”/).waitFor();
  });
});

describe('onboarding by genres', () => {
  it('likes and dislikes genres, and the disliked genre never appears', async () => {
    const { page } = await openPage(web, '/');
    const tab = page.getByRole('tab', { name: 'Titles you liked' });
    await tab.focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('tab', { name: 'Genres' }).getAttribute('aria-selected'), 'true', 'arrow keys move between tabs');
    await page.getByRole('button', { name: /^Sci-Fi: / }).click();
    const comedy = page.getByRole('button', { name: /^Comedy: / });
    await comedy.click();
    await comedy.click();
    assert.equal(await comedy.getAttribute('aria-label'), 'Comedy: disliked');
    await page.getByRole('button', { name: 'Get recommendations' }).click();
    await page.waitForURL(/likeGenres=Sci-Fi/);
    assert.equal(new URL(page.url()).searchParams.get('dislikeGenres'), 'Comedy');
    await page.locator('article.card').first().waitFor();
    const tags = await page.locator('article.card ul.tags').allInnerTexts();
    assert.ok(tags.length >= 5);
    assert.ok(
      tags.every((t) => !/\bComedy\b/.test(t)),
      'no disliked genre',
    );
    assert.ok(tags.filter((t) => /Sci-Fi/.test(t)).length >= tags.length / 2, 'mostly the liked genre');
  });
});

describe('filters', () => {
  // The bundled catalogues know years for TV series (Jikan) but not for most films, and titles
  // with an unknown year are left out by a year filter, so this uses TV.
  it('applies format, year and score filters, writes them to the URL, and a shared link restores them', async () => {
    const { page } = await openPage(web, '/for-you?t=1:10,5114:9,2001');
    await page.locator('article.card').first().waitFor();
    await page.getByText('Filters', { exact: true }).click();
    await page.getByRole('checkbox', { name: 'TV', exact: true }).check();
    await page.getByLabel('Year from').fill('2010');
    await page.getByLabel('Min. MAL score').fill('8');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/formats=TV/);
    const p = new URL(page.url()).searchParams;
    assert.equal(p.get('yearMin'), '2010');
    assert.equal(p.get('minScore'), '8');
    await page.locator('.cards:not(.stale) article.card').first().waitFor();
    const metas = await page.locator('article.card .meta').allInnerTexts();
    assert.ok(metas.length > 0);
    for (const m of metas) {
      assert.match(m, /^TV · /, m);
      assert.ok(Number(/(\d{4})/.exec(m)![1]) >= 2010, m);
    }
    const scores = await page.locator('article.card .mal-score').allInnerTexts();
    for (const s of scores) assert.ok(Number(s.replace('★', '').trim()) >= 8, s);

    const shared = await openPage(web, new URL(page.url()).pathname + new URL(page.url()).search);
    await shared.page.locator('article.card').first().waitFor();
    assert.equal(await shared.page.getByRole('checkbox', { name: 'TV', exact: true }).isChecked(), true, 'filters come back from the URL');
    assert.equal(await shared.page.getByLabel('Year from').inputValue(), '2010');
    assert.deepEqual(await cardIds(shared.page), await cardIds(page), 'the same link gives the same list');
  });

  it('shows an empty state when nothing matches', async () => {
    const { page } = await openPage(web, '/for-you?t=1&yearMin=2100&yearMax=2100');
    await page.getByText('No titles match these filters').waitFor();
  });
});

describe('more like this', () => {
  it('opens from a card and switches between hybrid, collaborative and content', async () => {
    const { page, errors } = await openPage(web, '/for-you?t=1:10');
    const card = page.locator('article.card').first();
    await card.waitFor();
    const id = Number(await card.getAttribute('data-anime-id'));
    const title = (await card.locator('h3').innerText()).trim();
    await card.getByRole('link', { name: 'More like this' }).click();
    await page.waitForURL(new RegExp(`/similar/${id}`));
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await page.locator('article.card').first().waitFor();
    const hybrid = await cardIds(page);
    assert.ok(hybrid.length > 0 && !hybrid.includes(id));

    await page.getByRole('radio', { name: 'Alike in what it is' }).check();
    await page.waitForURL(/mode=content/);
    await page.locator('.cards:not(.stale) article.card').first().waitFor();
    const content = await cardIds(page);
    await page.getByRole('radio', { name: 'Watched by the same fans' }).check();
    await page.waitForURL(/mode=collaborative/);
    await page.locator('.cards:not(.stale) article.card').first().waitFor();
    const collaborative = await cardIds(page);
    assert.notDeepEqual(content, collaborative, 'the modes give different lists');
    assert.match(await page.locator('article.card .reason').first().innerText(), /\w/);
    assert.deepEqual(errors, []);
  });
});

describe('taste profile', () => {
  it('draws genre, studio, score and era charts for picked titles', async () => {
    const { page } = await openPage(web, '/profile?t=1:10,5114:9,2001:8,20:6,1535:9');
    await page.getByRole('heading', { name: 'Taste profile' }).waitFor();
    await page.locator('dl.stats').waitFor();
    for (const caption of ['Genres', 'Studios', 'Your scores', 'Eras you watch']) {
      await page.locator('figcaption', { hasText: caption }).first().waitFor();
    }
    const genres = await page.getByRole('img', { name: /^Genres: / }).getAttribute('aria-label');
    assert.match(genres!, /Action \d+%/);
    const scores = await page.getByRole('img', { name: /^Your scores: / }).getAttribute('aria-label');
    assert.match(scores!, /2 scored 9/);
    assert.equal(await page.locator('dl.stats dd').first().innerText(), '5');
  });

  it('works for a stored user', async () => {
    const { page } = await openPage(web, '/profile?user=kaggle2016:1');
    await page.getByRole('img', { name: /^Genres: / }).waitFor();
  });
});

describe('your list', () => {
  it('shows a stored user, and "not interested" is saved to their list', async () => {
    const { page } = await openPage(web, '/start?via=account');
    await page.getByLabel('Already imported? Your user id').fill('kaggle2016:3');
    await page.getByRole('button', { name: 'Show recommendations' }).click();
    await page.waitForURL(/user=kaggle2016%3A3/);
    const card = page.locator('article.card').first();
    await card.waitFor();
    const id = Number(await card.getAttribute('data-anime-id'));
    await card.getByRole('button', { name: 'Not interested' }).click();
    await page.getByRole('status').filter({ hasText: 'Hidden' }).waitFor();
    assert.ok(!(await cardIds(page)).includes(id));
    const user = (await web.world.store.findUser('kaggle2016', '3'))[0]!;
    let saved = false;
    for (let i = 0; i < 40 && !saved; i++) {
      saved = (await web.world.store.userInteractions(user.userId)).some((r) => r.animeId === id && r.status === 'dropped');
      if (!saved) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(saved, 'the feedback reached the store');
  });

  it('imports a MyAnimeList XML export', async () => {
    const { page } = await openPage(web, '/start?via=account');
    await page
      .getByLabel('MyAnimeList export (XML)')
      .setInputFiles({ name: 'animelist.xml', mimeType: 'application/xml', buffer: readFileSync(join(FIXTURES, 'mal-export.xml')) });
    await page.getByRole('button', { name: 'Upload' }).click();
    // The export has two entries no importer can use (a score of 12, an unknown status): the page
    // says so, with the line, before moving on.
    const notice = page.getByRole('status').filter({ hasText: 'Imported' });
    await notice.waitFor();
    assert.match(
      await notice.innerText(),
      /2 entries were left out: my_score 12 is outside 0–10[^;]*; my_status "Rewatching maybe" is not/,
    );
    await notice.getByRole('button', { name: 'Show my recommendations' }).click();
    await page.waitForURL(/user=mal%3Abebop_fan/);
    await page.locator('article.card').first().waitFor();
  });

  it('says which uploaded titles the catalogue does not have yet before showing recommendations', async () => {
    // A real title the bundled catalogues do not hold (a 2022 film; one catalogue stops in 2016, the other is TV only).
    const xml = readFileSync(join(FIXTURES, 'mal-export.xml'), 'utf8')
      .replace('<user_name>bebop_fan</user_name>', '<user_name>suzume_fan</user_name>')
      .replace(
        '</myinfo>',
        `</myinfo>
	<anime><series_animedb_id>50594</series_animedb_id><series_title><![CDATA[Suzume no Tojimari]]></series_title><series_type>Movie</series_type><series_episodes>1</series_episodes><my_watched_episodes>1</my_watched_episodes><my_score>10</my_score><my_status>Completed</my_status></anime>`,
      );
    const { page } = await openPage(web, '/start?via=account');
    await page
      .getByLabel('MyAnimeList export (XML)')
      .setInputFiles({ name: 'animelist.xml', mimeType: 'application/xml', buffer: Buffer.from(xml) });
    await page.getByRole('button', { name: 'Upload' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'Imported' });
    await notice.waitFor();
    const text = await notice.innerText();
    assert.match(text, /1 title is not in the catalogue yet: Suzume no Tojimari \(50594\)/);
    assert.match(text, /counts as soon as a catalogue import or ingestion adds it/);
    await notice.getByRole('button', { name: 'Show my recommendations' }).click();
    await page.waitForURL(/user=mal%3Asuzume_fan/);
    await page.locator('article.card').first().waitFor();
  });

  it('imports a public AniList list by user name, and explains an unknown one', async () => {
    const { page } = await openPage(web, '/start?via=account');
    await page.getByLabel('AniList user name').fill('nobody');
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('alert').filter({ hasText: 'AniList has no user "nobody"' }).waitFor();
    await page.getByLabel('AniList user name').fill('yuki');
    await page.getByRole('button', { name: 'Import' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'Imported' });
    await notice.waitFor();
    assert.match(await notice.innerText(), /entr(y was|ies were) left out: AniList media \d+ .*has no MyAnimeList id/);
    await notice.getByRole('button', { name: 'Show my recommendations' }).click();
    await page.waitForURL(/user=anilist%3A/);
    await page.locator('article.card').first().waitFor();
  });

  it('explains an unknown user id in words', async () => {
    const { page } = await openPage(web, '/for-you?user=kaggle2016:no_such_person');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /We don't know a user called “kaggle2016:no_such_person”/);
    assert.doesNotMatch(await alert.innerText(), /\/v1\/|stack|TypeError|Internal/);
    await alert.getByRole('link', { name: 'start page' }).waitFor();
  });
});

describe('layout and serving', () => {
  it('fits a phone screen without sideways scrolling', async () => {
    for (const path of ['/', '/for-you?t=1:10,5114:9', '/profile?t=1:10,5114:9,2001:8']) {
      const { page } = await openPage(web, path, { width: 390, height: 844 });
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      // A string, so the function runs in the page without DOM types in this (Node) tsconfig.
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
      assert.ok(overflow <= 0, `${path} overflows by ${overflow}px`);
    }
  });

  it('serves the page for client routes without shadowing the API', async () => {
    for (const path of ['/', '/for-you?t=1', '/similar/1', '/profile']) {
      const res = await fetch(web.url + path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type')!, /text\/html/);
    }
    const api404 = await fetch(`${web.url}/v1/no-such-route`);
    assert.equal(api404.status, 404);
    assert.equal(((await api404.json()) as { error: string }).error, 'not_found');
    assert.equal((await fetch(`${web.url}/openapi.json`)).status, 200);
    assert.equal((await fetch(`${web.url}/health/live`)).status, 200);
    const docs = await fetch(`${web.url}/docs`, { redirect: 'manual' });
    assert.ok(docs.status < 400);
  });
});
