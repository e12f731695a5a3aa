// Every page, as a phone and a desktop show it, light and dark: axe-core finds nothing serious
// or critical, and no page is wider than a 390 px screen (wide tables and charts scroll inside
// their own focusable frames instead).
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { apiLeaderboard, jsEnabled, open, waitForHydration } from './helpers';

const WIDTHS = [1400, 390] as const;
const SCHEMES = ['light', 'dark'] as const;

async function pages(request: import('@playwright/test').APIRequestContext): Promise<string[]> {
  const { entries } = await apiLeaderboard(request);
  const [a, b] = [entries[0], entries[entries.length - 1]];
  const items = (await (await request.get('/api/v1/items')).json()) as {
    items: { category: string; relation: string; index: number }[];
  };
  const item = items.items[0];
  const list = [
    '/',
    `/models/${a.slug}`,
    '/relations/temporal-jump',
    '/categories/privacy',
    `/compare?models=${a.slug},${b.slug}`,
    '/compare',
    '/insights',
    '/items',
    '/judges',
    '/about',
    '/submit',
    '/submissions',
    '/changes',
  ];
  if (item) list.push(`/items/${item.category}/${item.relation}/${item.index}`);
  return list;
}

async function seriousViolations(page: Page, rules?: string[]): Promise<string[]> {
  // Rows past the hundredth repeat the markup of those before them (the item list has hundreds),
  // and axe's contrast check costs time per node.
  const builder = new AxeBuilder({ page }).exclude('tbody tr:nth-child(n+101)');
  if (rules) builder.withRules(rules);
  const { violations } = await builder.analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

// The pages are listed once from the live store; the first test of each project fills this.
const PAGE_COUNT = 14;

test.describe('accessibility and narrow screens', () => {
  for (let i = 0; i < PAGE_COUNT; i++) {
    test(`axe finds nothing serious on page ${i + 1} of the list, at 1400 px and 390 px, light and dark`, async ({ browser, page, request }, testInfo) => {
      const urls = await pages(request);
      test.skip(i >= urls.length, 'no such page in this store');
      const url = urls[i];
      // axe runs as a script in the page. With JavaScript off it cannot, so the JavaScript-off
      // project checks the same server HTML in a context where scripts run but the islands'
      // bundle (the .js and .wasm; the stylesheet still loads) never arrives: the DOM stays
      // exactly what a reader without JavaScript gets.
      let target = page;
      if (!jsEnabled(testInfo)) {
        const context = await browser.newContext({ javaScriptEnabled: true });
        await context.route((u) => /\/pkg\/.*\.(js|wasm)$/.test(u.pathname), (route) => route.abort());
        target = await context.newPage();
      }
      const found: string[] = [];
      for (const width of WIDTHS) {
        await target.setViewportSize({ width, height: 900 });
        await target.emulateMedia({ colorScheme: 'light' });
        await target.goto(url);
        if (jsEnabled(testInfo)) await waitForHydration(target, testInfo);
        for (const v of await seriousViolations(target)) found.push(`${url} at ${width} px, light: ${v}`);
        // Dark mode changes colours only: its contrast is what can break.
        await target.emulateMedia({ colorScheme: 'dark' });
        for (const v of await seriousViolations(target, ['color-contrast'])) found.push(`${url} at ${width} px, dark: ${v}`);
      }
      expect(found).toEqual([]);
    });
  }

  test('no page is wider than a 390 px screen', async ({ page, request }, testInfo) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: 390, height: 844 });
    const wide: string[] = [];
    for (const url of await pages(request)) {
      await open(page, url, testInfo);
      const { scroll, client } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      if (scroll > client) wide.push(`${url}: ${scroll} px wide in a ${client} px screen`);
    }
    expect(wide).toEqual([]);
  });

  test('charts keep their native size on a phone, inside a focusable frame', async ({ page, request }, testInfo) => {
    const { entries } = await apiLeaderboard(request);
    await page.setViewportSize({ width: 390, height: 844 });
    await open(page, `/models/${entries[0].slug}`, testInfo);
    const frame = page.locator('figure.chart .chart-frame').first();
    await expect(frame).toHaveAttribute('tabindex', '0');
    const img = frame.locator('img');
    await expect(img).toBeVisible();
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBeGreaterThan(0);
    const { shown, natural } = await img.evaluate((i: HTMLImageElement) => ({
      shown: i.getBoundingClientRect().width,
      natural: i.naturalWidth,
    }));
    expect(shown).toBeGreaterThanOrEqual(natural - 1);
  });
});
