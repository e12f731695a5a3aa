// JavaScript on only: after hydration the leaderboard filters and sorts in the page itself,
// without a full page load, and keeps the view in the URL.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { apiLeaderboard, open, rowModels, urlParams } from './helpers';

declare global {
  interface Window {
    __e2eMarker?: number;
  }
}

/** Marks the current document; a full page load would lose the mark. */
async function markDocument(page: Page) {
  await page.evaluate(() => {
    window.__e2eMarker = 1;
  });
}

async function expectSameDocument(page: Page) {
  expect(await page.evaluate(() => window.__e2eMarker), 'no full page load happened').toBe(1);
}

/** A search term that matches some sample models but not all, and the rows the API shows for it. */
async function searchTerm(request: APIRequestContext): Promise<{ term: string; expected: string[] }> {
  const all = (await apiLeaderboard(request)).entries;
  // One model's distinctive word ("Sample Amber Heron 3B" -> "amber").
  const target = all.find((e) => e.sample) ?? all[0];
  const term = target.model.split(' ')[1].toLowerCase();
  const expected = (await apiLeaderboard(request, `q=${encodeURIComponent(term)}`)).entries.map((e) => e.model);
  expect(expected).toContain(target.model);
  expect(expected.length).toBeLessThan(all.length);
  return { term, expected };
}

/** Counts `load` events of the main frame from now on (a full navigation fires one). */
function countLoads(page: Page): () => number {
  let loads = 0;
  page.on('load', () => loads++);
  return () => loads;
}

test('the search box filters the rows without a page load', async ({ page, request }, testInfo) => {
  const all = (await apiLeaderboard(request)).entries;
  const { term, expected } = await searchTerm(request);

  await open(page, '/', testInfo);
  await markDocument(page);
  const loads = countLoads(page);
  const historyLength = await page.evaluate(() => history.length);

  await page.locator('input[data-test="search"]').fill(term);
  await expect.poll(() => urlParams(page).get('q')).toBe(term);
  await expect.poll(() => rowModels(page)).toEqual(expected);
  await expect(page.locator('[data-test="view-meta"]')).toContainText(`${expected.length} of ${all.length} models`);

  await expectSameDocument(page);
  expect(loads()).toBe(0);
  // One search is one history entry, like a sort.
  expect(await page.evaluate(() => history.length)).toBe(historyLength + 1);
  // The CSV link follows the view.
  await expect(page.locator('a[data-test="csv-link"]')).toHaveAttribute('href', new RegExp(`[?&]q=${term}(&|$)`));

  // Clearing the box brings every row back.
  await page.locator('input[data-test="search"]').fill('');
  await expect.poll(() => rowModels(page)).toEqual(all.map((e) => e.model));
  await expect.poll(() => urlParams(page).get('q')).toBeNull();
  await expectSameDocument(page);
});


// Each keystroke updates the URL and the table; the filter form must keep the focus.
test('typing several characters keeps the focus in the search box', async ({ page, request }, testInfo) => {
  const { term, expected } = await searchTerm(request);
  await open(page, '/', testInfo);
  await markDocument(page);
  const search = page.locator('input[data-test="search"]');
  await search.pressSequentially(term);
  await expect(search).toBeFocused();
  await expect(search).toHaveValue(term);
  await expect.poll(() => urlParams(page).get('q')).toBe(term);
  await expect.poll(() => rowModels(page)).toEqual(expected);
  // Each keystroke replaced the URL; typing never reloaded the page.
  await expectSameDocument(page);
});

test('the filter selects apply at once and keep the focus', async ({ page, request }, testInfo) => {
  const closed = (await apiLeaderboard(request, 'access=closed')).entries.map((e) => e.model);
  const closedReasoning = (await apiLeaderboard(request, 'access=closed&reasoning=yes')).entries.map((e) => e.model);

  await open(page, '/', testInfo);
  // A new population is ranked by the server: the change loads the page (from its cache).
  await page.locator('select[name="access"]').selectOption('closed');
  await expect.poll(() => urlParams(page).get('access')).toBe('closed');
  await expect.poll(() => rowModels(page)).toEqual(closed);
  await expect(page.locator('select[name="access"]')).toBeFocused();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('select[name="reasoning"]').selectOption('yes');
  await expect.poll(() => urlParams(page).get('reasoning')).toBe('yes');
  await expect.poll(() => rowModels(page)).toEqual(closedReasoning);
  await expect(page.locator('select[name="reasoning"]')).toBeFocused();
});

test('sorting by a header click happens in the page, and Back restores the previous order', async ({ page, request }, testInfo) => {
  const byRank = (await apiLeaderboard(request)).entries.map((e) => e.model);
  const byCausality = (await apiLeaderboard(request, 'sort=Causality')).entries.map((e) => e.model);
  const byCausalityDesc = (await apiLeaderboard(request, 'sort=Causality&dir=desc')).entries.map((e) => e.model);

  await open(page, '/', testInfo);
  await markDocument(page);
  const loads = countLoads(page);

  await page.locator('th[data-sort="Causality"] a').click();
  await expect.poll(() => urlParams(page).get('sort')).toBe('Causality');
  await expect(page.locator('th[data-sort="Causality"]')).toHaveAttribute('aria-sort', 'ascending');
  await expect.poll(() => rowModels(page)).toEqual(byCausality);

  await page.locator('th[data-sort="Causality"] a').click();
  await expect.poll(() => urlParams(page).get('dir')).toBe('desc');
  await expect(page.locator('th[data-sort="Causality"]')).toHaveAttribute('aria-sort', 'descending');
  await expect.poll(() => rowModels(page)).toEqual(byCausalityDesc);

  await expectSameDocument(page);
  expect(loads()).toBe(0);

  await page.goBack();
  await expect.poll(() => urlParams(page).get('dir')).toBeNull();
  await expect.poll(() => rowModels(page)).toEqual(byCausality);
  await page.goBack();
  await expect.poll(() => urlParams(page).get('sort')).toBeNull();
  await expect.poll(() => rowModels(page)).toEqual(byRank);
  await expectSameDocument(page);
});

// Back after a search brings back the rows and the text of the search box, as the URL says.
test('Back after a search restores the rows and the search box', async ({ page, request }, testInfo) => {
  const all = (await apiLeaderboard(request)).entries.map((e) => e.model);
  const { term, expected } = await searchTerm(request);
  await open(page, '/', testInfo);
  await markDocument(page);
  await page.locator('input[data-test="search"]').fill(term);
  await expect.poll(() => rowModels(page)).toEqual(expected);
  await page.goBack();
  await expect.poll(() => urlParams(page).get('q')).toBeNull();
  await expect.poll(() => rowModels(page)).toEqual(all);
  await expect(page.locator('input[data-test="search"]')).toHaveValue('');
  await page.goForward();
  await expect.poll(() => rowModels(page)).toEqual(expected);
  await expect(page.locator('input[data-test="search"]')).toHaveValue(term);
  await expectSameDocument(page);
});
