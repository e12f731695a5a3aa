// The submission workflow, with and without JavaScript: upload a harness run, preview it, send
// it for review, approve it as the maintainer, find it on the leaderboard. A broken upload shows
// every problem and stores nothing.
//
// Both projects share one server, and the same archive is refused when uploaded twice, so each
// project uploads its own sample-tree variant under its own model name (see helpers.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import {
  ADMIN_TOKEN,
  BROKEN_ZIP,
  FULL_RUN_ITEMS,
  RELATIONS,
  apiSubmissions,
  boardRows,
  expectShown2dp,
  jsEnabled,
  makeSampleTree,
  open,
  parsePct,
  uniqueModelName,
  uniqueVariant,
} from './helpers';

// One archive per purpose: the same archive is refused when uploaded twice.
let archive: string;
let rejectArchive: string;
let plainApproveArchive: string;
let decisionArchive: string;

test.beforeAll(async ({}, testInfo) => {
  archive = makeSampleTree(uniqueVariant(testInfo, 0));
  rejectArchive = makeSampleTree(uniqueVariant(testInfo, 1));
  plainApproveArchive = makeSampleTree(uniqueVariant(testInfo, 2));
  decisionArchive = makeSampleTree(uniqueVariant(testInfo, 3));
});

async function fillUploadForm(page: Page, model: string, file: string | typeof BROKEN_ZIP) {
  const form = page.locator('form[data-test="upload-form"]');
  await form.locator('input[name="model"]').fill(model);
  await form.locator('input[name="organization"]').fill('E2E Lab');
  await form.locator('select[name="access"]').selectOption('open');
  await form.locator('select[name="reasoning"]').selectOption('false');
  await form.locator('input[name="parameters"]').fill('7B');
  await form.locator('input[name="link"]').fill('https://example.org/e2e-model');
  await form.locator('textarea[name="note"]').fill('Uploaded by the end-to-end tests.');
  await form.locator('input[data-test="file"]').setInputFiles(file);
  return form;
}

/** Sends a submission straight to the review queue through the public API; returns its id. */
async function submitThroughApi(request: APIRequestContext, model: string, file: string): Promise<number> {
  const res = await request.post('/api/v1/submissions', {
    multipart: {
      model,
      organization: 'E2E Lab',
      file: { name: path.basename(file), mimeType: 'application/zip', buffer: fs.readFileSync(file) },
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  const body = (await res.json()) as { id: number; status: string };
  expect(body.status).toBe('pending');
  return body.id;
}

/** Waits until the API reports a submission in the given state. */
async function expectStatus(request: APIRequestContext, id: number, status: string) {
  await expect
    .poll(async () => (await apiSubmissions(request)).find((s) => s.id === id)?.status, { message: `submission #${id} is ${status}` })
    .toBe(status);
}

/** Fills the reject form of a submission page (signed in) and sends it. */
async function reject(page: Page, reason: string) {
  const form = page.locator('form[data-test="reject-form"]');
  await form.locator('input[data-test="reason"]').fill(reason);
  await form.locator('[data-test="reject"]').click();
}

/** Signs the page's browser context in as the maintainer. */
async function signIn(page: Page, testInfo: TestInfo) {
  await open(page, '/admin', testInfo);
  const form = page.locator('[data-test="sign-in-form"]');
  await form.locator('input[data-test="token"]').fill(ADMIN_TOKEN);
  await form.locator('[data-test="sign-in"]').click();
  await expect(page).toHaveURL(/\/submissions\?status=pending$/);
}

test('upload, preview, send for review, approve, and the model is ranked', async ({ page, request }, testInfo) => {
  const model = uniqueModelName(testInfo);
  let id = 0;
  let previewAsr = '';

  await test.step('upload a full harness run', async () => {
    await open(page, '/submit', testInfo);
    const form = await fillUploadForm(page, model, archive);
    await form.locator('[data-test="validate"]').click();
    await expect(page).toHaveURL(/\/submit\/preview\/\d+\?key=[^&]+/);
    id = Number(new URL(page.url()).pathname.split('/').pop());
    expect(id).toBeGreaterThan(0);
  });

  await test.step('the preview shows coverage, the computed table and the leaderboard row', async () => {
    await expect(page.locator('[data-test="preview-page"]')).toBeVisible();
    await expect(page.locator('[data-test="preview-page"] h1')).toContainText(model);
    await expect(page.locator('[data-test="status"]')).toHaveText('draft');
    await expect(page.locator('[data-test="coverage"]')).toContainText(`${FULL_RUN_ITEMS} of ${FULL_RUN_ITEMS} items`);
    const computed = page.locator('[data-test="computed"]');
    await expect(computed).toBeVisible();
    const relations = computed.locator('[data-test="computed-relations"] tbody tr');
    await expect(relations).toHaveCount(RELATIONS.length + 1);
    for (const [i, r] of RELATIONS.entries()) await expect(relations.nth(i).locator('th')).toHaveText(r);
    const overallRow = relations.last();
    await expect(overallRow.locator('th')).toHaveText('Overall');
    await expect(overallRow.locator('td').nth(1)).toHaveText(String(FULL_RUN_ITEMS));
    previewAsr = (await overallRow.locator('[data-test="asr"]').textContent())?.trim() ?? '';
    expect(previewAsr).toMatch(/^\d+\.\d{2}$/);
    // The row it would have on the leaderboard shows the same overall ASR.
    const row = page.locator('[data-test="row-preview"] tr[data-test="row"]');
    await expect(row).toHaveCount(1);
    await expect(row).toHaveAttribute('data-model', model);
    await expect(row.locator('td[data-test="overall"] .v').first()).toHaveText(previewAsr);
    // Nothing is public yet.
    expect((await apiSubmissions(request)).some((s) => s.id === id)).toBe(false);
  });

  await test.step('send it for review', async () => {
    await page.locator('[data-test="send"]').click();
    await expect(page).toHaveURL(new RegExp(`/submissions/${id}\\?sent=1$`));
    await expect(page.locator('[data-test="sent"]')).toBeVisible();
    await expect(page.locator('[data-test="status"]')).toHaveText('pending');
    expect((await apiSubmissions(request)).find((s) => s.id === id)?.status).toBe('pending');

    await open(page, '/submissions?status=pending', testInfo);
    const line = page.locator('tr[data-test="submission-line"]', { has: page.locator(`a[href="/submissions/${id}"]`) });
    await expect(line).toHaveAttribute('data-status', 'pending');
    await expect(line).toContainText(model);
    // Nobody is signed in: no moderation controls.
    await open(page, `/submissions/${id}`, testInfo);
    await expect(page.locator('[data-test="status"]')).toHaveText('pending');
    await expect(page.locator('[data-test="moderation"]')).toHaveCount(0);
  });

  await test.step('the maintainer signs in and approves it', async () => {
    await signIn(page, testInfo);
    await open(page, `/submissions/${id}`, testInfo);
    await expect(page.locator('[data-test="moderation"]')).toBeVisible();
    const approve = page.locator('form[data-test="approve-form"]');
    await approve.locator('input[name="verified"]').check();
    await approve.locator('[data-test="approve"]').click();
    await expectStatus(request, id, 'approved');
    // What the page shows right after a decision is checked by its own test below.
    await open(page, `/submissions/${id}`, testInfo);
    await expect(page.locator('[data-test="status"]')).toHaveText('approved');
    await expect(page.locator('[data-test="moderation"] [data-test="approve"]')).toHaveCount(0);
  });

  await test.step('the model is on the leaderboard with the previewed overall ASR', async () => {
    await open(page, `/?q=${encodeURIComponent(model)}`, testInfo);
    const rows = boardRows(page);
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute('data-model', model);
    await expect(rows.first().locator('td[data-test="overall"] .v').first()).toHaveText(previewAsr);
    const api = await request.get(`/api/v1/leaderboard?q=${encodeURIComponent(model)}`);
    const entry = (await api.json()).entries.find((e: { model: string }) => e.model === model);
    expect(entry, `${model} in the API`).toBeDefined();
    expectShown2dp(previewAsr, entry.overall.asr, 'approved overall ASR');
    expect(parsePct(previewAsr)).toBeGreaterThan(0);
  });
});

test('the maintainer rejects a pending submission with a public reason', async ({ page, request }, testInfo) => {
  const model = uniqueModelName(testInfo, 'Rejected');
  const id = await submitThroughApi(request, model, rejectArchive);
  const reason = `E2E rejection ${testInfo.project.name}: judge output incomplete`;

  await signIn(page, testInfo);
  await open(page, `/submissions/${id}`, testInfo);
  await reject(page, reason);
  await expectStatus(request, id, 'rejected');

  // The rejection and its reason are public; the model is not ranked.
  const line = (await apiSubmissions(request)).find((s) => s.id === id);
  expect(line?.reason).toBe(reason);
  await open(page, `/submissions/${id}`, testInfo);
  await expect(page.locator('[data-test="status"]')).toHaveText('rejected');
  await expect(page.locator('section.status-line')).toContainText(reason);
  await open(page, '/submissions?status=rejected', testInfo);
  await expect(page.locator('tr[data-test="submission-line"]', { hasText: model })).toContainText(reason);
  await open(page, `/?q=${encodeURIComponent(model)}`, testInfo);
  await expect(boardRows(page)).toHaveCount(0);
  await expect(page.locator('[data-test="no-rows"]')).toBeVisible();
});

test('the submission page shows a decision as soon as it is made', async ({ page, request }, testInfo) => {
  // The decision redirects to this very page: with JavaScript the page must refetch, without it
  // the redirect is a full page load.
  const model = uniqueModelName(testInfo, 'Decided');
  const id = await submitThroughApi(request, model, decisionArchive);
  const reason = `E2E decision ${testInfo.project.name}`;

  await signIn(page, testInfo);
  await open(page, `/submissions/${id}`, testInfo);
  await reject(page, reason);
  await expect(page.locator('[data-test="status"]')).toHaveText('rejected');
  await expect(page.locator('section.status-line')).toContainText(reason);
  await expect(page.locator('[data-test="action-error"]')).toHaveCount(0);
  await expect(page.locator('[data-test="moderation"] [data-test="approve"]')).toHaveCount(0);
  await expectStatus(request, id, 'rejected');
});


// An unticked checkbox sends no field at all; approval must still work (as self-reported).
test('the maintainer approves without marking the result verified', async ({ page, request }, testInfo) => {
  const model = uniqueModelName(testInfo, 'Self-reported');
  const id = await submitThroughApi(request, model, plainApproveArchive);

  await signIn(page, testInfo);
  await open(page, `/submissions/${id}`, testInfo);
  const approve = page.locator('form[data-test="approve-form"]');
  await expect(approve.locator('input[name="verified"]')).not.toBeChecked();
  await approve.locator('[data-test="approve"]').click();
  await expectStatus(request, id, 'approved');
  await open(page, `/submissions/${id}`, testInfo);
  await expect(page.locator('[data-test="status"]')).toHaveText('approved');
});

test('a broken upload lists its problems and stores nothing', async ({ page, request }, testInfo) => {
  const before = await apiSubmissions(request);
  await open(page, '/submit', testInfo);
  const form = await fillUploadForm(page, uniqueModelName(testInfo, 'Broken'), BROKEN_ZIP);
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/submit' && r.request().method() === 'POST'),
    form.locator('[data-test="validate"]').click(),
  ]);
  expect(response.status()).toBe(422);

  const errors = page.locator('[data-test="upload-errors"]');
  await expect(errors).toBeVisible();
  await expect(errors).toContainText('Nothing was stored');
  await expect(errors.locator('tr[data-test="problem"]').first()).toBeVisible();
  expect(new URL(page.url()).pathname).toBe('/submit');
  // The form keeps what was typed, so the submitter only has to pick another file.
  await expect(page.locator('form[data-test="upload-form"] input[name="model"]')).toHaveValue(uniqueModelName(testInfo, 'Broken'));

  expect(await apiSubmissions(request)).toEqual(before);
  if (jsEnabled(testInfo)) {
    // Nothing navigated: the page is the same document.
    await expect(page.locator('[data-test="progress"]')).toHaveCount(0);
  }
});
