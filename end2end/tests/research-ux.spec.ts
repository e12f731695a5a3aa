// What a researcher tripped over, checked in the browser with JavaScript off and on: links to
// the API open JSON, ranks under a column sort follow that column's intervals, scope pages
// filter like the leaderboard, a model's bars order by value, a partial upload warns first,
// and /submit offers a sample archive.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { apiLeaderboard, boardRows, jsEnabled, open, sampleTreeBinary, uniqueModelName, uniqueVariant } from './helpers';

/** The page's text parsed as JSON (Chromium shows a JSON response as text). */
async function pageJson(page: Page): Promise<unknown> {
  return JSON.parse(await page.evaluate(() => document.body.innerText));
}

test('links to the API open JSON, JavaScript on or off', async ({ page, request }, testInfo) => {
  const { entries } = await apiLeaderboard(request);
  const [a, b] = [entries[0], entries[entries.length - 1]];
  for (const [from, link, want] of [
    ['/', 'footer a:text-is("JSON API")', /\/api\/v1\/leaderboard/],
    ['/', 'footer a:text-is("OpenAPI")', /\/api\/v1\/openapi\.json$/],
    [`/compare?models=${a.slug},${b.slug}`, 'a:text-is("This comparison as JSON")', /\/api\/v1\/compare\?/],
  ] as const) {
    await open(page, from, testInfo);
    await page.locator(link).first().click();
    await expect(page).toHaveURL(want);
    const body = (await pageJson(page)) as Record<string, unknown>;
    expect(typeof body, `${link} on ${from}`).toBe('object');
  }
});

test('ranks under a relation sort come from that relation’s intervals', async ({ page, request }, testInfo) => {
  const { entries } = await apiLeaderboard(request, 'sort=Temporal_Jump');
  const scored = entries.filter((e) => e.relations.Temporal_Jump);
  // The rule: 1 + the number of models whose whole interval on the column lies below.
  const expected = new Map(
    scored.map((e) => {
      const s = e.relations.Temporal_Jump!;
      return [e.model, 1 + scored.filter((o) => o.relations.Temporal_Jump!.ci_high < s.ci_low).length] as const;
    }),
  );
  await open(page, '/?sort=Temporal_Jump', testInfo);
  await expect(page.locator('[data-rank-basis]')).toContainText('Temporal Jump');
  const shown = await boardRows(page).evaluateAll((rows) =>
    rows.map((r) => [r.getAttribute('data-model') ?? '', r.querySelector('[data-test="rank"]')?.textContent?.trim() ?? '']),
  );
  expect(shown.length).toBe(scored.length);
  for (const [model, rank] of shown) expect(Number(rank), model).toBe(expected.get(model));
});

test('a relation page filters its population like the leaderboard', async ({ page, request }, testInfo) => {
  const open_ = (await apiLeaderboard(request, 'access=open')).entries.filter((e) => e.relations.Analogy);
  await open(page, '/relations/analogy', testInfo);
  const filters = page.locator('form[data-test="scope-filters"]');
  await filters.locator('select[name="access"]').selectOption('open');
  await filters.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(/access=open/);
  const rows = page.locator('[data-test="scope-table"] tr[data-test="row"]');
  await expect(rows).toHaveCount(open_.length);
  const models = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-model')));
  expect(models.sort()).toEqual(open_.map((e) => e.model).sort());
  await expect(page.locator('form[data-test="scope-filters"] select[name="access"]')).toHaveValue('open');
  await expect(page.locator('figure.chart img')).toHaveAttribute('src', /access=open/);
});

test('a model page names where it is weakest and orders its bars by value', async ({ page, request }, testInfo) => {
  const e = (await apiLeaderboard(request)).entries[0];
  const worst = Object.entries(e.relations)
    .filter(([, s]) => s)
    .sort((x, y) => y[1]!.asr - x[1]!.asr)[0];
  await open(page, `/models/${e.slug}`, testInfo);
  const weak = page.locator('[data-test="weakest"] li[data-test="weak"]').first();
  await expect(weak).toContainText(`${worst[1]!.asr.toFixed(2)}%`);
  await page.locator('[data-test="order-value"]').first().click();
  await expect(page).toHaveURL(/order=value/);
  await expect(page.locator('#relations figure.chart img')).toHaveAttribute('src', /relations\.svg\?order=value/);
  await expect(page.locator('[data-test="order-value"]').first()).toHaveAttribute('aria-current', 'true');
});

test('a partial run is a warning at the top of the preview, and its row says partial instead of a rank', async ({ page }, testInfo) => {
  // One judge file with one item: a run that covers 1 of 2,676 items.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mir-e2e-partial-'));
  const tree = path.join(dir, `partial_${uniqueVariant(testInfo, 7)}`);
  execFileSync(sampleTreeBinary(), ['sample-tree', tree, '--variant', String(uniqueVariant(testInfo, 7))], { stdio: 'ignore' });
  const zip = path.join(dir, 'partial.zip');
  execFileSync('python3', [
    '-c',
    `import json, sys, zipfile
root, out = sys.argv[1], sys.argv[2]
d = json.load(open(root + "/Privacy/Analogy.json"))
d["judge_result"] = d["judge_result"][:1]
with zipfile.ZipFile(out, "w") as z:
    z.writestr("partial/Privacy/Analogy.json", json.dumps(d))`,
    tree,
    zip,
  ]);
  await open(page, '/submit', testInfo);
  const form = page.locator('form[data-test="upload-form"]');
  await form.locator('input[name="model"]').fill(uniqueModelName(testInfo, 'Partial'));
  await form.locator('input[data-test="file"]').setInputFiles(zip);
  await form.locator('[data-test="validate"]').click();
  const warning = page.locator('[data-test="partial-warning"]');
  await expect(warning).toContainText(/covers 1 of 2,?676 items/);
  // The warning comes before the preview table.
  const [warnY, tableY] = await Promise.all([
    warning.evaluate((el) => el.getBoundingClientRect().top),
    page.locator('table[data-test="leaderboard"]').first().evaluate((el) => el.getBoundingClientRect().top),
  ]);
  expect(warnY).toBeLessThan(tableY);
  await expect(page.locator('table[data-test="leaderboard"] [data-test="rank"]').first()).toHaveText('partial');
});

test('/submit offers a sample archive to try the upload with', async ({ page, request }, testInfo) => {
  await open(page, '/submit', testInfo);
  const link = page.locator('[data-test="sample-download"]');
  await expect(link).toHaveAttribute('href', '/submit/sample.zip');
  const res = await request.get('/submit/sample.zip');
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toBe('application/zip');
  expect(res.headers()['content-disposition']).toContain('SAMPLE');
  expect((await res.body()).subarray(0, 2).toString()).toBe('PK');
  if (jsEnabled(testInfo)) {
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toContain('SAMPLE');
  }
});
