// Item consensus (/items, one item's page) and judge agreement (/judges), with JavaScript off and
// on: plain server HTML with GET forms, every number checked against the JSON API.
import { expect, test } from '@playwright/test';
import { SAMPLE_NOTICE, open } from './helpers';

type Item = { category: string; relation: string; index: number; unsafe: number; models: number; share: number; unsafe_models: string[] };

test.describe('items', () => {
  test('the list, its filters in the URL, the CSV and an item page agree with the API', async ({ page, request }, testInfo) => {
    const api = await (await request.get('/api/v1/items')).json();
    expect(api.notice).toBe(SAMPLE_NOTICE);
    const items: Item[] = api.items;
    expect(items.length).toBeGreaterThan(0);

    await open(page, '/items', testInfo);
    await expect(page.locator('[data-test="items-page"]')).toBeVisible();
    await expect(page.locator('[data-test="sample-banner"]')).toBeVisible();
    await expect(page.locator('[data-test="population"]')).toContainText(`${api.models} ranked model(s) with per-item labels`);
    // The distribution chart is an SVG with its table.
    const img = page.locator('figure[data-test="chart"] img');
    await expect(img).toHaveAttribute('src', /\/charts\/items\.svg/);
    await expect(page.locator('[data-test="distribution"] tbody tr')).toHaveCount(api.models + 1);

    // The first row is the API's most-broken item.
    const first = items[0];
    const firstRow = page.locator('[data-test="items"] tbody tr').first();
    await expect(firstRow).toHaveAttribute('data-item', `${first.category}/${first.relation}/${first.index}`);

    // Filters: a plain GET form; the URL carries them.
    await page.locator('[data-test="relation-filter"]').selectOption('Analogy');
    await page.locator('[data-test="min-share"]').fill('0.5');
    await page.locator('[data-test="item-filters"] button[type="submit"]').click();
    await expect(page).toHaveURL(/relation=Analogy/);
    await expect(page).toHaveURL(/min_share=0\.5/);
    const filtered = await (await request.get('/api/v1/items?relation=Analogy&min_share=0.5')).json();
    await expect(page.locator('[data-test="items"] tbody tr')).toHaveCount(Math.min(filtered.items.length, 500));
    const rows = await page.locator('[data-test="items"] tbody tr').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-item') ?? ''));
    expect(rows.every((r) => r.includes('/Analogy/'))).toBe(true);
    // The CSV download is the filtered list.
    const csvHref = await page.locator('[data-test="csv"]').getAttribute('href');
    expect(csvHref).toContain('relation=Analogy');
    const csv = await (await request.get(csvHref!)).text();
    const lines = csv.trim().split('\n');
    expect(lines.length - 1).toBe(filtered.items.length);
    expect(lines.slice(1).every((l) => l.endsWith(`,${SAMPLE_NOTICE}`))).toBe(true);

    // An item page lists the models it broke, linking to their pages.
    await open(page, `/items/${first.category}/${first.relation}/${first.index}`, testInfo);
    await expect(page.locator('[data-test="item-page"]')).toBeVisible();
    await expect(page.locator('[data-test="sample-banner"]')).toBeVisible();
    await expect(page.locator('[data-test="position"]')).toContainText(`${first.category}/${first.relation}.json`);
    await expect(page.locator('[data-test="unsafe-models"] li')).toHaveCount(first.unsafe);
    await expect(page.locator('[data-test="safe-models"] li')).toHaveCount(first.models - first.unsafe);
    const link = page.locator('[data-test="unsafe-models"] a').first();
    await expect(link).toHaveAttribute('href', new RegExp(`^/models/(${first.unsafe_models.join('|')})`));
  });
});

test.describe('judges', () => {
  test('says how to add a second judge when there is one', async ({ page, request }, testInfo) => {
    const api = await (await request.get('/api/v1/judges/agreement')).json();
    expect(api.judges.length).toBe(1);
    expect(api.pairs).toEqual([]);
    await open(page, '/judges', testInfo);
    await expect(page.locator('[data-test="judges-page"]')).toBeVisible();
    await expect(page.locator('[data-test="one-judge"]')).toContainText('upload the same run judged by another classifier');
    // The leaderboard's judge picker links here.
    await open(page, '/', testInfo);
    await page.locator('[data-test="judges-link"]').click();
    await expect(page).toHaveURL(/\/judges$/);
  });
});
