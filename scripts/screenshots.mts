/**
 * Screenshots of the main screens at desktop (1280×800) and phone (390×844) widths, for the
 * README: `npm run screenshots` (needs /usr/bin/chromium). Runs the real server on the bundled
 * data, like the e2e tests, and writes docs/screenshots/<screen>-<width>.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../src/data/bundled.js';
import { openPage, startWebWorld } from '../test/web/harness.js';

const OUT = join(PACKAGE_ROOT, 'docs', 'screenshots');
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const PICKS = 't=1:10,5114:9,2001:9,20:7,1535:9,11061:8';

/** Each screen: a URL plus what to do before the picture (wait for data, open a panel). */
const SCREENS: Record<string, { path: string; prepare: (page: Page) => Promise<void> }> = {
  start: {
    path: '/',
    prepare: async (page) => {
      const box = page.getByRole('combobox', { name: 'Search titles' });
      for (const q of ['cowboy bebop', 'fullmetal alchemist brotherhood']) {
        await box.fill(q);
        await page.getByRole('option').first().waitFor();
        await box.press('Enter');
      }
      await page.getByLabel(/Your score for Cowboy Bebop/).selectOption('10');
      await box.fill('steins');
      await page.getByRole('option').first().waitFor();
    },
  },
  genres: {
    path: '/start?via=genres',
    prepare: async (page) => {
      await page.getByRole('button', { name: /^Sci-Fi: / }).click();
      await page.getByRole('button', { name: /^Drama: / }).click();
      const comedy = page.getByRole('button', { name: /^Comedy: / });
      await comedy.click();
      await comedy.click();
    },
  },
  results: {
    path: `/for-you?${PICKS}`,
    prepare: async (page) => {
      await page.locator('article.card .synopsis:not(.sk-text)').first().waitFor();
    },
  },
  // One card's "+N more from <franchise>" opened, scrolled into view.
  grouped: {
    path: `/for-you?${PICKS}`,
    prepare: async (page) => {
      await page.locator('article.card .synopsis:not(.sk-text)').first().waitFor();
      const toggle = page
        .locator('article.card')
        .getByRole('button', { name: /^\+\d+ more from / })
        .first();
      await toggle.click();
      await toggle.scrollIntoViewIfNeeded();
    },
  },
  filters: {
    path: `/for-you?${PICKS}&formats=TV&yearMin=2010&minScore=8`,
    prepare: async (page) => {
      await page.locator('article.card .synopsis:not(.sk-text)').first().waitFor();
    },
  },
  similar: {
    path: '/similar/5114?mode=content',
    prepare: async (page) => {
      await page.locator('article.card .synopsis:not(.sk-text)').first().waitFor();
    },
  },
  profile: {
    path: '/profile?user=kaggle2016:1',
    prepare: async (page) => {
      await page.getByRole('img', { name: /^Genres: / }).waitFor();
    },
  },
};

mkdirSync(OUT, { recursive: true });
const web = await startWebWorld();
try {
  for (const [name, screen] of Object.entries(SCREENS)) {
    for (const [size, viewport] of Object.entries(SIZES)) {
      const { page, errors } = await openPage(web, screen.path, viewport);
      await screen.prepare(page);
      await page.waitForLoadState('networkidle');
      const file = join(OUT, `${name}-${size}.png`);
      await page.screenshot({ path: file });
      if (errors.length > 0) throw new Error(`${name} (${size}): page errors: ${errors.join('; ')}`);
      console.log(`wrote ${file}`);
      await page.context().close();
    }
  }
} finally {
  await web.close();
}
