/**
 * The "Model health" page in Debian's Chromium against the real server: first with an empty
 * monitoring history (the page explains how to fill it), then after the real monitoring job
 * scored five days of the bundled users' ratings (see test/server/monitoring-world.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { monitorRecentDays, type MonitoredWorld } from '../server/monitoring-world.js';
import { openPage, startWebWorld, type WebWorld } from './harness.js';

let web: WebWorld;

before(async () => {
  web = await startWebWorld();
});

after(async () => {
  await web?.close();
});

// In order: the empty state is only empty before the job has run.
describe('model health page', () => {
  it('explains how to get data when nothing was monitored yet', async () => {
    const { page, errors } = await openPage(web, '/health-report');
    await page.getByRole('heading', { level: 1, name: 'Model health' }).waitFor();
    const empty = page.locator('.empty');
    await empty.getByText('No monitoring data yet').waitFor();
    assert.match(await empty.innerText(), /anirec monitor/);
    assert.equal(await page.locator('svg.line-chart').count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Model health' }).getAttribute('aria-current'), 'page', 'the nav shows where we are');
    assert.deepEqual(errors, []);
  });

  describe('after `anirec monitor` ran', () => {
    let monitored: MonitoredWorld;
    before(async () => {
      monitored = await monitorRecentDays(web.world);
    });

    it('draws MAE and hit-rate per day with the drift day marked, and the same numbers as a table', async () => {
      // Arrive from another page through the nav link, as a person would.
      const { page, errors } = await openPage(web, '/');
      await page.getByRole('link', { name: 'Model health' }).click();
      await page.waitForURL(/\/health-report$/);

      const charts = page.getByRole('img', { name: /^(MAE|Hit-rate@20), / });
      await charts.first().waitFor();
      assert.equal(await charts.count(), 2, 'an MAE chart and a hit-rate chart');
      const maeChart = page.locator('svg.line-chart').first();
      assert.equal(await maeChart.locator('circle.dot').count(), monitored.days.length, 'one point per monitored day');
      assert.equal(await maeChart.locator('path.line').count(), 1, 'one model version, one line');
      // The job flagged the least-liked day: a red band and a red point in both charts.
      assert.equal(await page.locator('rect.drift-band').count(), 2);
      assert.equal(await page.locator('circle.dot.drift').count(), 2);
      assert.match((await charts.first().getAttribute('aria-label'))!, /1 drift day\b/);

      const table = page.getByRole('table', { name: 'Every day, newest first' });
      const rows = table.locator('tbody tr');
      assert.equal(await rows.count(), monitored.days.length);
      const newest = rows.first();
      assert.equal(await newest.getByRole('rowheader').innerText(), monitored.days.at(-1));
      assert.match(await newest.innerText(), /Yes: MAE \d+\.\d\d vs baseline/);
      assert.match(await newest.innerText(), new RegExp(monitored.production.id));
      assert.match(await page.locator('.drift-note').innerText(), /Drift on .*MAE/);
      assert.equal(await page.locator('.stats dd').last().innerText(), '1');
      assert.deepEqual(errors, []);
    });

    it('keeps the range in the URL and shows only those days', async () => {
      const { page } = await openPage(web, '/health-report');
      await page.getByRole('table').waitFor();
      await page.getByRole('radio', { name: '7 days' }).check();
      await page.waitForURL(/\/health-report\?days=7$/);
      assert.equal(await page.locator('table tbody tr').count(), monitored.days.length, 'all five days are within a week');
      const narrow = await openPage(web, '/health-report?days=1');
      await narrow.page.getByRole('table').waitFor();
      assert.equal(await narrow.page.locator('table tbody tr').count(), 1, 'only today');
    });
  });
});
