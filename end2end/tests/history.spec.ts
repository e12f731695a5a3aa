// Following and citing the leaderboard, with JavaScript off and on: the ranking as of a day, the
// decision log and its Atom feed, a model's badge, and the upload form's folder picker.
import { expect, test } from '@playwright/test';
import { jsEnabled, open } from './helpers';

test.describe('history', () => {
  test('a past day is one URL away, with a way back', async ({ page, request }, testInfo) => {
    const today = new Date().toISOString().slice(0, 10);
    const api = await (await request.get(`/api/v1/leaderboard?as_of=${today}`)).json();
    expect(api.as_of).toBe(today);
    await open(page, `/?as_of=${today}`, testInfo);
    await expect(page.locator('[data-test="as-of"]')).toContainText(`as it stood at the end of ${today}`);
    await expect(page.locator('[data-test="row"]')).toHaveCount(api.entries.length);
    await page.locator('[data-test="back-to-today"]').click();
    await expect(page).not.toHaveURL(/as_of=/);
    await expect(page.locator('[data-test="as-of"]')).toHaveCount(0);

    // Before any approval the board is empty and says why.
    await open(page, '/?as_of=2000-01-01', testInfo);
    await expect(page.locator('[data-test="before-first"]')).toContainText('No result had been approved by then');
    const bad = await page.goto('/?as_of=2000-02-30');
    expect(bad?.status()).toBe(400);
  });

  test('the decision log, its feed and a model badge', async ({ page, request }, testInfo) => {
    await open(page, '/changes', testInfo);
    await expect(page.locator('[data-test="changes-page"]')).toBeVisible();
    const rows = page.locator('[data-test="change"]');
    expect(await rows.count()).toBeGreaterThan(0);
    await expect(rows.first()).toHaveAttribute('data-kind', /approved|rejected|withdrawn/);
    await expect(page.locator('head link[rel="alternate"][type="application/atom+xml"]')).toHaveAttribute('href', '/feed.xml');

    // The feed link is a plain navigation to the XML, JavaScript on or off.
    const feed = await request.get('/feed.xml');
    expect(feed.headers()['content-type']).toBe('application/atom+xml; charset=utf-8');
    const xml = await feed.text();
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
    expect(xml).toContain('SAMPLE');

    // A model page shows its badge and the Markdown to copy.
    const board = await (await request.get('/api/v1/leaderboard')).json();
    const slug = board.entries[0].slug;
    await open(page, `/models/${slug}`, testInfo);
    await expect(page.locator('[data-test="badge"]')).toHaveAttribute('src', `/badges/${slug}.svg`);
    await expect(page.locator('[data-test="badge-markdown"]')).toContainText(`/badges/${slug}.svg)`);
    const svg = await (await request.get(`/badges/${slug}.svg`)).text();
    expect(svg).toContain(`rank ${board.entries[0].rank}/${board.page?.total ?? board.entries.length}`);
    expect(svg).toContain('SAMPLE');
  });

  test('the folder picker is offered where it works', async ({ page }, testInfo) => {
    await open(page, '/submit', testInfo);
    const picker = page.locator('[data-test="folder-picker"]');
    if (jsEnabled(testInfo)) {
      await expect(picker).toBeVisible();
      await expect(page.locator('[data-test="folder"]')).toHaveAttribute('webkitdirectory', '');
    } else {
      // Without JavaScript a browser cannot send a folder's paths: the archive input stays.
      await expect(picker).toBeHidden();
      await expect(page.locator('[data-test="file"]')).toBeVisible();
    }
  });
});
