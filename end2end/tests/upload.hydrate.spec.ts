// JavaScript on only: the upload form is sent by XMLHttpRequest, shows its progress, and shows
// a refusal in place, without leaving the page.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { FULL_RUN_ITEMS, makeSampleTree, open, uniqueModelName, uniqueVariant } from './helpers';

declare global {
  interface Window {
    __e2eMarker?: number;
    __e2eProgress?: string[];
  }
}

let progressArchive: string;
let duplicateArchive: string;

test.beforeAll(async ({}, testInfo) => {
  progressArchive = makeSampleTree(uniqueVariant(testInfo, 5));
  duplicateArchive = makeSampleTree(uniqueVariant(testInfo, 6));
});

async function fillForm(page: Page, model: string, file: string) {
  const form = page.locator('form[data-test="upload-form"]');
  await form.locator('input[name="model"]').fill(model);
  await form.locator('select[name="access"]').selectOption('closed');
  await form.locator('input[data-test="file"]').setInputFiles(file);
  return form;
}

test('the upload shows its progress, then the preview', async ({ page }, testInfo) => {
  const model = uniqueModelName(testInfo, 'Progress');
  await open(page, '/submit', testInfo);

  // Record every state of the progress element, whatever its speed on localhost.
  await page.evaluate(() => {
    window.__e2eProgress = [];
    new MutationObserver(() => {
      // The status line next to the <progress> bar (whose own content is a fallback for old browsers).
      const text = document.querySelector('[data-test="progress"] span')?.textContent?.trim();
      const seen = window.__e2eProgress!;
      if (text && seen[seen.length - 1] !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });

  // Hold the POST until the progress element has been seen, so the check does not race the upload.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const accepts: string[] = [];
  await page.route('**/submit', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    accepts.push(route.request().headers()['accept'] ?? '');
    await held;
    await route.continue();
  });

  const form = await fillForm(page, model, progressArchive);
  await form.locator('[data-test="validate"]').click();
  const progress = page.locator('[data-test="progress"]');
  await expect(progress).toBeVisible();
  await expect(progress.locator('span')).toHaveText(/^Upload(ing… \d+%|ed; validating…)$/);
  await expect(progress.locator('progress')).toHaveAttribute('max', '100');
  // One request, from the script: it asks for JSON (the plain form would get a redirect).
  await expect.poll(() => accepts.length).toBe(1);
  expect(accepts[0]).toContain('application/json');
  // The preview is a new page: read what was seen before leaving.
  const seen = await page.evaluate(() => window.__e2eProgress ?? []);
  release();

  await expect(page).toHaveURL(/\/submit\/preview\/\d+\?key=/);
  await expect(page.locator('[data-test="preview-page"]')).toBeVisible();
  await expect(page.locator('[data-test="coverage"]')).toContainText(`${FULL_RUN_ITEMS} of ${FULL_RUN_ITEMS} items`);
  expect(seen.length, `progress states: ${JSON.stringify(seen)}`).toBeGreaterThan(0);
  expect(seen[0]).toMatch(/^Uploading… \d+%$/);
  for (const s of seen) expect(s).toMatch(/^(Uploading… \d+%|Uploaded; validating…)$/);
  await page.unroute('**/submit');
});

test('a refused upload shows the reason in place, without navigating', async ({ page, request }, testInfo) => {
  // The archive is already in the queue (sent through the API), so the form's upload is refused.
  const first = await request.post('/api/v1/submissions', {
    multipart: {
      model: uniqueModelName(testInfo, 'Original'),
      file: { name: path.basename(duplicateArchive), mimeType: 'application/zip', buffer: fs.readFileSync(duplicateArchive) },
    },
  });
  expect(first.status(), await first.text()).toBe(201);
  const firstId = ((await first.json()) as { id: number }).id;

  await open(page, '/submit', testInfo);
  await page.evaluate(() => {
    window.__e2eMarker = 1;
  });
  let loads = 0;
  page.on('load', () => loads++);

  const model = uniqueModelName(testInfo, 'Duplicate');
  const form = await fillForm(page, model, duplicateArchive);
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/submit' && r.request().method() === 'POST'),
    form.locator('[data-test="validate"]').click(),
  ]);
  expect(response.status()).toBe(409);

  const errors = page.locator('[data-test="upload-errors"]');
  await expect(errors).toBeVisible();
  await expect(errors).toContainText('already submitted');
  await expect(errors).toContainText(`#${firstId}`);
  await expect(errors).toContainText('Nothing was stored');
  await expect(page.locator('[data-test="progress"]')).toHaveCount(0);

  // Same document, same URL, and the form still holds what was typed.
  expect(new URL(page.url()).pathname).toBe('/submit');
  expect(await page.evaluate(() => window.__e2eMarker)).toBe(1);
  expect(loads).toBe(0);
  await expect(form.locator('input[name="model"]')).toHaveValue(model);
  await expect(form.locator('select[name="access"]')).toHaveValue('closed');
});
