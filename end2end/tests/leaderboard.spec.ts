// The leaderboard at `/`, with and without JavaScript: every view lives in the URL, and the
// page shows what the JSON API says for that URL.
import * as fs from 'node:fs';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import {
  CATEGORIES,
  SAMPLE_NOTICE,
  apiLeaderboard,
  boardRows,
  expectShown2dp,
  jsEnabled,
  open,
  parseCsv,
  queryParam,
  rowCells,
  rowModels,
  urlParams,
} from './helpers';

/** The columns a URL asks for (`cols=a,b` from the enhanced page, `cols=none&cols=a` from the plain form). */
function urlColumns(page: Page): string[] {
  return urlParams(page)
    .getAll('cols')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '' && v !== 'none')
    .sort();
}

/** Without JavaScript the filter form needs its Apply button; with it, every change applies at once. */
async function applyFilters(page: Page, testInfo: TestInfo) {
  if (!jsEnabled(testInfo)) {
    await page.locator('form[data-test="filters"] button.apply').click();
    await page.waitForLoadState('domcontentloaded');
  }
}

test.describe('leaderboard', () => {
  test('renders every ranked model, as the API ranks them, under the sample banner', async ({ page, request }, testInfo) => {
    const api = await apiLeaderboard(request);
    expect(api.entries.length).toBeGreaterThanOrEqual(26);

    await open(page, '/', testInfo);
    await expect(page.locator('table[data-test="leaderboard"]')).toBeVisible();
    await expect(boardRows(page)).toHaveCount(api.entries.length);
    expect(await rowModels(page)).toEqual(api.entries.map((e) => e.model));

    const banner = page.locator('[data-test="sample-banner"]');
    await expect(banner).toBeVisible();
    await expect(banner).toContainText('SAMPLE DATA');

    // The ranking picture is drawn in the page, at its native size, and names every model.
    const chart = page.locator('figure[data-test="ranking-chart"] svg[role="img"]');
    await expect(chart).toBeVisible();
    expect((await chart.boundingBox())?.width).toBe(640);
    const described = (await chart.locator('desc').textContent()) ?? '';
    for (const e of api.entries) expect(described, e.model).toContain(`${e.model} (rank ${e.rank})`);

    // Ranks, overall ASR and one relation and one group cell of every row agree with the API.
    const cells = await rowCells(page, {
      rank: 'td[data-test="rank"]',
      overall: 'td[data-test="overall"] .v',
      jump: 'td[data-col="Temporal_Jump"]',
      temporal: 'td[data-col="Temporal"]',
    });
    for (const [i, e] of api.entries.entries()) {
      const c = cells[i];
      expect(c.rank, `${e.model} rank`).toBe(String(e.rank));
      expectShown2dp(c.overall, e.overall.asr, `${e.model} overall`);
      const jump = e.relations.Temporal_Jump;
      if (jump) expectShown2dp(c.jump, jump.asr, `${e.model} Temporal_Jump`);
      const temporal = e.groups.Temporal;
      if (temporal) expectShown2dp(c.temporal, temporal.asr, `${e.model} Temporal`);
    }
  });

  test('sorting by a relation header follows the API and keeps the state in the URL', async ({ page, request }, testInfo) => {
    const ascending = (await apiLeaderboard(request, 'sort=Temporal_Jump')).entries.map((e) => e.model);
    const descending = (await apiLeaderboard(request, 'sort=Temporal_Jump&dir=desc')).entries.map((e) => e.model);
    expect(descending).not.toEqual(ascending);

    await open(page, '/', testInfo);
    const header = page.locator('th[data-sort="Temporal_Jump"]');
    await expect(header).toHaveAttribute('aria-sort', 'none');

    await header.locator('a').click();
    await expect(page).toHaveURL(queryParam('sort', 'Temporal_Jump'));
    expect(urlParams(page).get('dir')).toBeNull();
    await expect(page.locator('th[data-sort="Temporal_Jump"]')).toHaveAttribute('aria-sort', 'ascending');
    await expect.poll(() => rowModels(page)).toEqual(ascending);

    await page.locator('th[data-sort="Temporal_Jump"] a').click();
    await expect(page).toHaveURL(queryParam('dir', 'desc'));
    expect(urlParams(page).get('sort')).toBe('Temporal_Jump');
    await expect(page.locator('th[data-sort="Temporal_Jump"]')).toHaveAttribute('aria-sort', 'descending');
    await expect.poll(() => rowModels(page)).toEqual(descending);

    // The URL alone reproduces the view.
    await open(page, page.url(), testInfo);
    await expect(page.locator('th[data-sort="Temporal_Jump"]')).toHaveAttribute('aria-sort', 'descending');
    expect(await rowModels(page)).toEqual(descending);
  });

  test('the filter form narrows the rows and puts its state in the URL', async ({ page, request }, testInfo) => {
    // A search term that keeps some but not all open non-reasoning models: an organisation.
    const population = (await apiLeaderboard(request, 'access=open&reasoning=no')).entries;
    expect(population.length).toBeGreaterThan(1);
    const term = population.find((e) => e.organization && e.sample)?.organization ?? population[0].model;
    const expected = (await apiLeaderboard(request, `access=open&reasoning=no&q=${encodeURIComponent(term)}`)).entries;
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(population.length);
    for (const e of expected) {
      expect(e.access).toBe('open');
      expect(e.reasoning).toBe(false);
    }

    await open(page, '/', testInfo);
    const form = page.locator('form[data-test="filters"]');
    await form.locator('select[name="access"]').selectOption('open');
    if (jsEnabled(testInfo)) {
      // Applied at once, without the Apply button.
      await expect(page).toHaveURL(queryParam('access', 'open'));
      await expect.poll(() => rowModels(page)).toEqual(
        (await apiLeaderboard(request, 'access=open')).entries.map((e) => e.model),
      );
    }
    await form.locator('select[name="reasoning"]').selectOption('no');
    if (jsEnabled(testInfo)) await expect(page).toHaveURL(queryParam('reasoning', 'no'));
    await form.locator('input[data-test="search"]').fill(term);
    await applyFilters(page, testInfo);

    await expect(page).toHaveURL(queryParam('access', 'open'));
    await expect.poll(() => urlParams(page).get('reasoning')).toBe('no');
    await expect.poll(() => urlParams(page).get('q')).toBe(term);
    await expect.poll(() => rowModels(page)).toEqual(expected.map((e) => e.model));

    // The ranking picture shows this view: drawn by the server after a page load, or, after a
    // search applied in place, the picture of the new view, loaded.
    const figure = page.locator('figure[data-test="ranking-chart"]');
    if (jsEnabled(testInfo)) {
      const img = figure.locator('img');
      await expect(img).toHaveAttribute('src', new RegExp(`^/charts/leaderboard\\.svg\\?.*q=`));
      await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(640);
      await expect(figure.locator('svg')).toHaveCount(0);
    } else {
      const described = (await figure.locator('svg[role="img"] desc').textContent()) ?? '';
      for (const e of expected) expect(described, e.model).toContain(e.model);
      expect(described.match(/\(rank \d+\)/g)?.length).toBe(expected.length);
    }

    // The controls show the state they applied.
    await expect(form.locator('select[name="access"]')).toHaveValue('open');
    await expect(form.locator('select[name="reasoning"]')).toHaveValue('no');
    await expect(form.locator('input[data-test="search"]')).toHaveValue(term);

    // The same URL opened fresh shows the same view.
    const url = page.url();
    const fresh = await page.context().newPage();
    await open(fresh, url, testInfo);
    expect(await rowModels(fresh)).toEqual(expected.map((e) => e.model));
    await expect(fresh.locator('select[name="access"]')).toHaveValue('open');
    await expect(fresh.locator('select[name="reasoning"]')).toHaveValue('no');
    await expect(fresh.locator('input[data-test="search"]')).toHaveValue(term);
    await fresh.close();
  });

  test('the column picker shows and hides the risk-category block', async ({ page, request }, testInfo) => {
    const rows = (await apiLeaderboard(request)).entries.length;
    await open(page, '/', testInfo);
    // By default: relations and groups, no categories.
    await expect(page.locator('td[data-col="Temporal_Jump"]')).toHaveCount(rows);
    await expect(page.locator('td[data-col="Hate_Speech"]')).toHaveCount(0);
    await expect(page.locator('th[data-sort="Hate_Speech"]')).toHaveCount(0);

    const picker = page.locator('form[data-test="filters"] details.columns');
    await picker.locator('summary').click();
    const box = (name: string) => picker.locator(`input[name="cols"][value="${name}"]`);
    await expect(box('relations')).toBeChecked();
    await expect(box('groups')).toBeChecked();
    await expect(box('categories')).not.toBeChecked();

    await box('categories').check();
    await applyFilters(page, testInfo);
    await expect.poll(() => urlColumns(page)).toEqual(['categories', 'groups', 'relations']);
    for (const c of CATEGORIES) {
      await expect(page.locator(`th[data-sort="${c}"]`)).toHaveCount(1);
      await expect(page.locator(`td[data-col="${c}"]`)).toHaveCount(rows);
    }

    // And away again, together with the relations. With JavaScript each box applies at once
    // (the page loads with the new columns), so the picker is opened again for the next one.
    for (const name of ['categories', 'relations']) {
      const picker2 = page.locator('form[data-test="filters"] details.columns');
      if (!(await picker2.evaluate((d) => (d as HTMLDetailsElement).open))) {
        await picker2.locator('summary').click();
      }
      await picker2.locator(`input[name="cols"][value="${name}"]`).uncheck();
      if (jsEnabled(testInfo)) await expect.poll(() => urlColumns(page)).not.toContain(name);
    }
    await applyFilters(page, testInfo);
    await expect.poll(() => urlColumns(page)).toEqual(['groups']);
    await expect(page.locator('td[data-col="Hate_Speech"]')).toHaveCount(0);
    await expect(page.locator('td[data-col="Temporal_Jump"]')).toHaveCount(0);
    await expect(page.locator('td[data-col="Temporal"]')).toHaveCount(rows);

    // The URL reproduces the columns.
    await open(page, '/?cols=categories', testInfo);
    await expect(page.locator('td[data-col="Self-Harm"]')).toHaveCount(rows);
    await expect(page.locator('td[data-col="Temporal_Jump"]')).toHaveCount(0);
    await expect(page.locator('td[data-col="Temporal"]')).toHaveCount(0);
  });

  test('the CSV link exports exactly the rows of the current view', async ({ page, request }, testInfo) => {
    const view = '/?access=open&sort=Temporal_Jump&dir=desc';
    await open(page, view, testInfo);
    const shown = await rowModels(page);
    expect(shown.length).toBeGreaterThan(1);

    const link = page.locator('a[data-test="csv-link"]');
    const href = await link.getAttribute('href');
    expect(href).not.toBeNull();
    const csvUrl = new URL(href!, page.url());
    expect(csvUrl.pathname).toBe('/api/v1/leaderboard.csv');
    expect(csvUrl.searchParams.get('access')).toBe('open');
    expect(csvUrl.searchParams.get('sort')).toBe('Temporal_Jump');
    expect(csvUrl.searchParams.get('dir')).toBe('desc');

    const res = await request.get(href!);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toContain('text/csv');
    const records = parseCsv(await res.text());
    expect(records.map((r) => r.model)).toEqual(shown);
    for (const r of records) {
      if (r.model.startsWith('Sample ')) expect(r.notice, `notice of ${r.model}`).toBe(SAMPLE_NOTICE);
      expect(r.access).toBe('open');
    }

    // A click downloads the same file (the link has a download attribute), with or without JavaScript.
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const file = await download.path();
    expect(parseCsv(fs.readFileSync(file, 'utf8')).map((r) => r.model)).toEqual(shown);
  });
});

test('sort headers are plain links that keep the current filters', async ({ page }, testInfo) => {
  await open(page, '/?access=closed', testInfo);
  const href = await page.locator('th[data-sort="Analogy"] a').getAttribute('href');
  const target = new URL(href!, page.url());
  expect(target.searchParams.get('access')).toBe('closed');
  expect(target.searchParams.get('sort')).toBe('Analogy');
});
