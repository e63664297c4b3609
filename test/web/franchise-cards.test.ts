/**
 * One card per franchise and "Continue what you started", in Chromium against the real server
 * (bundled catalogues, which have no relations, so franchises come from the title heuristic).
 * The page is compared with the answers it got, so the tests follow what the API decides.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Request } from 'playwright-core';
import { cardIds, openPage, startWebWorld, type WebWorld } from './harness.js';

interface Summary {
  id: number;
  title: string;
  titleEnglish: string | null;
}
interface ListItem {
  anime: Summary;
  reason: string;
  franchise: { id: number; name: string; more: { anime: Summary; score: number | null }[] } | null;
}

let web: WebWorld;

before(async () => {
  web = await startWebWorld();
});

after(async () => {
  await web?.close();
});

const PICKS = 't=1:10,5114:9,2001:9';
const nameOf = (a: Summary) => a.titleEnglish ?? a.title;

/** The main list's request (the season row asks the same route with a season or status filter). */
const isMainList = (request: Request) => {
  if (request.method() !== 'POST' || !request.url().endsWith('/v1/recommendations/from-titles')) return false;
  const filters = (request.postDataJSON() as { filters?: Record<string, unknown> }).filters ?? {};
  return filters.season === undefined && filters.status === undefined;
};

describe('one card per franchise', () => {
  it('a card standing for a franchise says "+N more from <name>" and opens its other entries in one click', async () => {
    const { page, errors } = await openPage(web, '/start');
    const listRequest = page.waitForRequest(isMainList);
    await page.goto(`${web.url}/for-you?${PICKS}`);
    const request = await listRequest;
    assert.equal((request.postDataJSON() as { franchise?: string }).franchise, undefined, 'the page asks for the default, grouped list');
    const items = ((await (await request.response())!.json()) as { items: ListItem[] }).items;
    await page.locator('article.card').first().waitFor();
    assert.deepEqual(
      await cardIds(page),
      items.map((i) => i.anime.id),
    );

    const grouped = items.filter((i) => (i.franchise?.more.length ?? 0) > 0);
    assert.ok(grouped.length > 0, 'some card stands for a franchise');
    for (const item of items) {
      const toggle = page.locator(`article.card[data-anime-id="${item.anime.id}"]`).getByRole('button', { name: /^\+\d+ more from / });
      if ((item.franchise?.more.length ?? 0) === 0) {
        assert.equal(await toggle.count(), 0, `${item.anime.id} has no other entries`);
        continue;
      }
      assert.equal((await toggle.innerText()).replace(/^[▸▾]\s*/, ''), `+${item.franchise!.more.length} more from ${item.franchise!.name}`);
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    }

    const item = grouped[0]!;
    const franchise = item.franchise!;
    const card = page.locator(`article.card[data-anime-id="${item.anime.id}"]`);
    await card.getByRole('button', { name: /^\+\d+ more from / }).click();
    const list = card.getByRole('list', { name: `More from ${franchise.name}` });
    await list.waitFor();
    assert.equal(await card.getByRole('button', { name: /^\+\d+ more from / }).getAttribute('aria-expanded'), 'true');
    const entries = list.getByRole('listitem');
    const ids = await entries.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-anime-id'))));
    assert.deepEqual(
      ids,
      franchise.more.map((m) => m.anime.id),
      'its other entries, in the order the API gave',
    );
    for (const [i, entry] of franchise.more.entries()) {
      const link = entries.nth(i).getByRole('link');
      assert.equal((await link.innerText()).trim(), nameOf(entry.anime));
      assert.equal(await link.getAttribute('href'), `https://myanimelist.net/anime/${entry.anime.id}`, 'linked like the cards');
    }
    assert.equal(await card.locator('.meta').count(), 1, 'the card keeps one meta line of its own');

    await card.getByRole('button', { name: /^\+\d+ more from / }).click();
    await list.waitFor({ state: 'detached' });

    const everywhere = [...items.map((i) => i.anime.id), ...items.flatMap((i) => i.franchise?.more.map((m) => m.anime.id) ?? [])];
    assert.equal(new Set(everywhere).size, everywhere.length, "no title is both a card and another card's entry");
    assert.deepEqual(errors, []);
  });
});

interface ContinueItem extends ListItem {
  kind: 'next_entry' | 'new_season' | 'planned';
}

/** Ids, reasons and kinds of the continue row's tiles, in order. */
async function continueTiles(page: import('playwright-core').Page): Promise<{ id: number; kind: string; reason: string }[]> {
  const tiles = page.locator('section.continue-row li.shelf-item');
  const attrs = await tiles.evaluateAll((els) => els.map((e) => [e.getAttribute('data-anime-id'), e.getAttribute('data-kind')]));
  const reasons = await tiles.locator('.reason').allInnerTexts();
  return attrs.map(([id, kind], i) => ({ id: Number(id), kind: kind ?? '', reason: reasons[i]!.replace(/^Why:\s*/, '').trim() }));
}

describe('Continue what you started', () => {
  it('for a pasted list: sends the same entries as the list and shows what the API returned, each with its reason', async () => {
    const { page, errors } = await openPage(web, '/start');
    const asked = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/v1/continue/from-titles'));
    await page.goto(`${web.url}/for-you?t=9253:10,16498:9,205:9`);
    const request = await asked;
    assert.deepEqual(request.postDataJSON(), {
      titles: [
        { id: 9253, score: 10 },
        { id: 16498, score: 9 },
        { id: 205, score: 9 },
      ],
      k: 10,
    });
    const items = ((await (await request.response())!.json()) as { items: ContinueItem[] }).items;
    assert.ok(items.length > 0, 'Steins;Gate and Attack on Titan have later entries');

    const row = page.getByRole('region', { name: 'Continue what you started' });
    await row.getByRole('heading', { level: 2, name: 'Continue what you started' }).waitFor();
    const tiles = await continueTiles(page);
    assert.deepEqual(
      tiles,
      items.map((i) => ({ id: i.anime.id, kind: i.kind, reason: i.reason })),
    );
    assert.ok(
      tiles.some((t) => t.id === 30484),
      'Steins;Gate 0 follows Steins;Gate',
    );
    const label = await row.locator('li[data-anime-id="30484"] .shelf-badge').innerText();
    assert.equal(label.toLowerCase(), 'next entry');
    await page.locator('article.card').first().waitFor();
    assert.deepEqual(errors, []);
  });

  it('for a stored user: GET /v1/users/{user}/continue?k=10', async () => {
    const { page } = await openPage(web, '/start');
    const asked = page.waitForRequest((r) => r.method() === 'GET' && /\/v1\/users\/kaggle2016%3A2\/continue\?k=10$/.test(r.url()));
    await page.goto(`${web.url}/for-you?user=kaggle2016:2`);
    const items = ((await (await (await asked).response())!.json()) as { items: ContinueItem[] }).items;
    assert.ok(items.length > 0);
    await page.locator('section.continue-row li.shelf-item').first().waitFor();
    assert.deepEqual(
      (await continueTiles(page)).map((t) => t.id),
      items.map((i) => i.anime.id),
    );
  });

  it('is not shown when there is nothing to continue', async () => {
    const { page } = await openPage(web, '/start');
    const asked = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/v1/continue/from-titles'));
    await page.goto(`${web.url}/for-you?t=205:9`);
    const answer = (await (await (await asked).response())!.json()) as { items: unknown[] };
    assert.deepEqual(answer.items, [], 'Samurai Champloo has no other entry');
    await page.locator('article.card').first().waitFor();
    await page.waitForLoadState('networkidle');
    assert.equal(await page.locator('section.continue-row').count(), 0);
  });
});
