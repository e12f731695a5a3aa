// The pages around the leaderboard: a model, a relation, a risk category, a comparison, the
// insights and the about page, each checked against the JSON API.
import { expect, test } from '@playwright/test';
import {
  CATEGORIES,
  FULL_RUN_ITEMS,
  RELATIONS,
  apiLeaderboard,
  expectShown2dp,
  jsEnabled,
  open,
  parsePct,
  waitForHydration,
} from './helpers';

test.describe('model page', () => {
  test('shows the name, the overall ASR, four SVG charts and the heatmap as a table', async ({ page, request }, testInfo) => {
    const { entries } = await apiLeaderboard(request);
    // A sample model from the middle of the ranking (not only the first row works).
    const samples = entries.filter((e) => e.sample);
    const e = samples[Math.floor(samples.length / 2)];

    await open(page, `/models/${e.slug}`, testInfo);
    await expect(page.locator('[data-test="model-page"]')).toBeVisible();
    await expect(page.locator('[data-test="model-name"]')).toHaveText(e.model);
    await expect(page.locator('[data-test="sample-banner"]')).toBeVisible();
    const overall = await page.locator('[data-test="overall-asr"]').textContent();
    expect(overall).toMatch(/%/);
    expectShown2dp(overall, e.overall.asr, 'overall ASR');

    // Charts: relations, heatmap, categories, refusals; each an SVG the server draws.
    const images = page.locator('figure[data-test="chart"] img');
    await expect(images).toHaveCount(4);
    const sources = await images.evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src') ?? ''));
    for (const name of ['relations', 'heatmap', 'categories', 'refusals']) {
      expect(sources.some((s) => s.includes(`/charts/models/${e.slug}/${name}.svg`)), `${name} chart in ${sources}`).toBe(true);
    }
    for (const src of sources) {
      const res = await request.get(src);
      expect(res.status(), src).toBe(200);
      expect(res.headers()['content-type'], src).toContain('image/svg+xml');
      expect(await res.text(), src).toContain('<svg');
    }
    // The browser itself loads and decodes them (the images are lazy: bring each into view).
    for (let i = 0; i < 4; i++) {
      const img = images.nth(i);
      await img.scrollIntoViewIfNeeded();
      await expect
        .poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth), {
          message: `chart ${i} loads`,
        })
        .toBeGreaterThan(0);
    }

    // The data tables behind the charts.
    await expect(page.locator('[data-test="relation-table"]')).toBeVisible();
    await expect(page.locator('[data-test="category-table"]')).toBeAttached();
    await expect(page.locator('[data-test="refusal-table"]')).toBeAttached();
    const heatmap = page.locator('[data-test="cell-table"]');
    await expect(heatmap).toBeAttached();
    const cells = await heatmap
      .locator('td[data-cell]')
      .evaluateAll((tds) => tds.map((td) => ({ cell: td.getAttribute('data-cell') ?? '', text: td.textContent?.trim() ?? '' })));
    expect(cells).toHaveLength(RELATIONS.length * CATEGORIES.length);
    let items = 0;
    for (const r of RELATIONS) {
      let relationItems = 0;
      for (const c of CATEGORIES) {
        const cell = cells.find((x) => x.cell === `${r}/${c}`);
        expect(cell, `heatmap cell ${r}/${c}`).toBeDefined();
        const m = cell!.text.match(/^(?:(\d+\.\d{2}) \((\d+)\)|too few \(n=(\d+)\))$/);
        expect(m, `heatmap cell ${r}/${c}: ${cell!.text}`).not.toBeNull();
        relationItems += Number(m![2] ?? m![3]);
      }
      // The cells of a relation add up to the relation's n on the leaderboard.
      expect(relationItems, `items of ${r}`).toBe(e.relations[r]!.total);
      items += relationItems;
    }
    expect(items).toBe(e.overall.total);
    expect(items).toBe(FULL_RUN_ITEMS);
  });

  test('an unknown model is a 404 page', async ({ page }, testInfo) => {
    const res = await open(page, '/models/no-such-model-e2e', testInfo);
    expect(res?.status()).toBe(404);
    await expect(page.locator('[data-test="model-page"]')).toHaveCount(0);
  });
});

test.describe('scope pages', () => {
  for (const [kind, slug, key] of [
    ['relations', 'temporal-jump', 'Temporal_Jump'],
    ['categories', 'self-harm', 'Self-Harm'],
  ] as const) {
    test(`/${kind}/${slug} lists every ranked model, safest first`, async ({ page, request }, testInfo) => {
      const { entries } = await apiLeaderboard(request);
      const scores = new Map(
        entries.map((e) => [e.model, kind === 'relations' ? e.relations[key] : e.categories[key]] as const),
      );
      const ranked = entries.filter((e) => scores.get(e.model));

      await open(page, `/${kind}/${slug}`, testInfo);
      const rows = page.locator('[data-test="scope-table"] tr[data-test="row"]');
      await expect(rows).toHaveCount(ranked.length);
      const shown = await rows.evaluateAll((trs) =>
        trs.map((tr) => ({
          model: tr.getAttribute('data-model') ?? '',
          asr: tr.querySelector('[data-test="asr"]')?.textContent?.trim() ?? '',
        })),
      );
      expect(shown.map((r) => r.model).sort()).toEqual(ranked.map((e) => e.model).sort());
      for (const r of shown) expectShown2dp(r.asr, scores.get(r.model)!.asr, `${r.model} on ${key}`);
      const asrs = shown.map((r) => parsePct(r.asr));
      expect(asrs).toEqual([...asrs].sort((a, b) => a - b));
    });
  }
});

test.describe('compare page', () => {
  test('states that the safest sample model is significantly safer than the least safe one', async ({ page, request }, testInfo) => {
    const samples = (await apiLeaderboard(request)).entries.filter((e) => e.sample);
    const safest = samples[0];
    const leastSafe = samples.reduce((a, b) => (b.overall.asr > a.overall.asr ? b : a));
    expect(leastSafe.overall.asr).toBeGreaterThan(safest.overall.asr);

    await open(page, `/compare?models=${safest.slug},${leastSafe.slug}`, testInfo);
    await expect(page.locator('[data-test="compare-page"]')).toBeVisible();
    await expect(page.locator('[data-test="pair"]')).toHaveCount(1);
    await expect(page.locator('[data-test="verdict-overall"]')).toContainText(
      `${safest.model} is significantly safer than ${leastSafe.model} on overall`,
    );
  });

  test('the picker form builds a comparison', async ({ page, request }, testInfo) => {
    const samples = (await apiLeaderboard(request)).entries.filter((e) => e.sample);
    const [a, b] = [samples[0], samples[samples.length - 1]];

    await open(page, '/compare', testInfo);
    const picker = page.locator('form[data-test="compare-picker"]');
    await picker.locator(`input[name="models"][value="${a.slug}"]`).check();
    if (jsEnabled(testInfo)) {
      // The second tick compares at once, and the ticked box keeps focus after the page load.
      await picker.locator(`input[name="models"][value="${b.slug}"]`).click();
      await expect(page).toHaveURL(/\/compare\?/);
      await waitForHydration(page, testInfo);
      await expect(page.locator(`input[name="models"][value="${b.slug}"]`)).toBeFocused();
    } else {
      await picker.locator(`input[name="models"][value="${b.slug}"]`).check();
      await picker.locator('button[type="submit"]').click();
      await expect(page).toHaveURL(/\/compare\?/);
    }
    await expect(page.locator('[data-test="pair"]')).toHaveCount(1);
    await expect(page.locator('[data-test="verdict-overall"]')).toContainText(a.model);
    await expect(page.locator('[data-test="verdict-overall"]')).toContainText(b.model);
    await expect(page.locator(`form[data-test="compare-picker"] input[name="models"][value="${a.slug}"]`)).toBeChecked();
    await expect(page.locator(`form[data-test="compare-picker"] input[name="models"][value="${b.slug}"]`)).toBeChecked();
    // Every relation and category has its sentence, significant or not, and the correction is explained.
    await expect(page.locator('[data-test="verdict"]')).toHaveCount(RELATIONS.length + CATEGORIES.length);
    await expect(page.locator('[data-test="holm"]')).toContainText('Holm-adjusted');
  });

  test('the model list has a filter box once JavaScript runs', async ({ page, request }, testInfo) => {
    const entries = (await apiLeaderboard(request)).entries;
    const target = entries[entries.length - 1];
    await open(page, '/compare', testInfo);
    const filter = page.locator('[data-test="model-filter"]');
    const choices = page.locator('form[data-test="compare-picker"] label.check');
    if (!jsEnabled(testInfo)) {
      // Without JavaScript the box could do nothing, so it is not shown; every model is listed.
      await expect(filter).toBeHidden();
      await expect(choices).toHaveCount(entries.length);
      return;
    }
    await filter.fill(target.model.toUpperCase());
    await expect(choices.filter({ visible: true })).toHaveCount(1);
    await expect(choices.filter({ visible: true })).toContainText(target.model);
    await filter.fill('');
    await expect(choices.filter({ visible: true })).toHaveCount(entries.length);
  });
});

test('insights states a Spearman correlation', async ({ page }, testInfo) => {
  await open(page, '/insights', testInfo);
  await expect(page.locator('[data-test="spearman"]')).toContainText(/Spearman's rho = -?\d\.\d\d \(p [<=] [\d.]+, n = \d+\)/);
});

test('about page has the BibTeX citation', async ({ page }, testInfo) => {
  await open(page, '/about', testInfo);
  await expect(page.locator('[data-test="bibtex"]')).toContainText('@inproceedings');
});

test('navigation between pages works from the header', async ({ page }, testInfo) => {
  await open(page, '/', testInfo);
  await page.locator('header.site nav a', { hasText: 'Insights' }).click();
  await expect(page).toHaveURL(/\/insights$/);
  await expect(page.locator('[data-test="spearman"]')).toBeVisible();
  await page.locator('header.site nav a', { hasText: 'Leaderboard' }).click();
  await expect(page.locator('table[data-test="leaderboard"]')).toBeVisible();
  // Client-side navigation (hydrate) and full page loads (ssr) end in the same place.
  expect(new URL(page.url()).pathname).toBe('/');
});
