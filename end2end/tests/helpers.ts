// Shared helpers of the end-to-end specs. Nothing here sleeps: everything waits on a condition.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, type APIRequestContext, type Locator, type Page, type TestInfo } from '@playwright/test';

/** The repository root (end2end/tests/ is two levels below it). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The maintainer token that scripts/e2e-server.sh gives the server. */
export const ADMIN_TOKEN = process.env.MIR_ADMIN_TOKEN ?? 'e2e-maintainer-token-0123456789';

/** The notice every export of sample data carries. */
export const SAMPLE_NOTICE = 'sample data, not real results';

/** Relations in the harness's spelling, in the site's column order. */
export const RELATIONS = [
  'Temporal_Continuity',
  'Temporal_Jump',
  'Spatial_Juxtaposition',
  'Spatial_Embedding',
  'Relevance',
  'Complementarity',
  'Analogy',
  'Causality',
  'Decomposition',
] as const;
export const GROUPS = ['Temporal', 'Spatial', 'Semantic', 'Logical'] as const;
export const CATEGORIES = ['Hate_Speech', 'Violence', 'Self-Harm', 'Illegal_Activities', 'Harassment', 'Privacy'] as const;
/** Items of a full benchmark run. */
export const FULL_RUN_ITEMS = 2676;

export function jsEnabled(testInfo: TestInfo): boolean {
  return testInfo.project.name === 'hydrate';
}

/**
 * With JavaScript on, waits until the page's islands are live (each island sets
 * `body[data-hydrated="true"]` once hydrated). Pages without islands are plain HTML: nothing to
 * wait for, as with JavaScript off.
 *
 * E2E_NO_HYDRATION_MARKER=1 is only for developing against an old build without the marker: it
 * falls back to waiting for the network to go quiet, which is not a guarantee.
 */
export async function waitForHydration(page: Page, testInfo: TestInfo): Promise<void> {
  if (!jsEnabled(testInfo)) return;
  if ((await page.locator('leptos-island').count()) === 0) return;
  if (process.env.E2E_NO_HYDRATION_MARKER) {
    await page.waitForLoadState('networkidle');
    return;
  }
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 30_000 });
}

/** Opens a page and, with JavaScript on, waits for it to be hydrated. */
export async function open(page: Page, url: string, testInfo: TestInfo) {
  const response = await page.goto(url);
  await waitForHydration(page, testInfo);
  return response;
}

// ---------------------------------------------------------------------------------------------
// The JSON API: the reference the pages are checked against.

export interface Score {
  asr: number;
  ci_low: number;
  ci_high: number;
  unsafe: number;
  total: number;
}

export interface Entry {
  model: string;
  slug: string;
  rank: number;
  access: string | null;
  reasoning: boolean | null;
  organization: string | null;
  sample: boolean;
  overall: Score;
  relations: Record<string, Score | null>;
  groups: Record<string, Score | null>;
  categories: Record<string, Score | null>;
}

export interface Leaderboard {
  entries: Entry[];
  notice: string | null;
  query: string;
}

/** `GET /api/v1/leaderboard?<query>` (query without the leading `?`). */
export async function apiLeaderboard(request: APIRequestContext, query = ''): Promise<Leaderboard> {
  const res = await request.get(`/api/v1/leaderboard${query ? `?${query}` : ''}`);
  expect(res.status(), `GET /api/v1/leaderboard?${query}`).toBe(200);
  return (await res.json()) as Leaderboard;
}

export interface SubmissionLine {
  id: number;
  model: string;
  status: string;
  reason: string | null;
}

/** Every listed submission (drafts are never listed). */
export async function apiSubmissions(request: APIRequestContext): Promise<SubmissionLine[]> {
  const res = await request.get('/api/v1/submissions?limit=500');
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { submissions: SubmissionLine[] };
  return body.submissions;
}

// ---------------------------------------------------------------------------------------------
// The leaderboard table.

/** The rows shown (rows the search hides stay in the page, hidden, for in-page searching). */
export function boardRows(page: Page): Locator {
  return page.locator('table[data-test="leaderboard"] tbody tr[data-test="row"]:not([hidden])');
}

/** The model names of the leaderboard's rows, top to bottom. */
export async function rowModels(page: Page): Promise<string[]> {
  return boardRows(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model') ?? ''));
}

/** Per row, the text of each selected cell (one round trip for the whole table). */
export async function rowCells(page: Page, selectors: Record<string, string>): Promise<Record<string, string | null>[]> {
  return boardRows(page).evaluateAll(
    (rows, sel) =>
      rows.map((r) =>
        Object.fromEntries(
          Object.entries(sel).map(([k, css]) => [k, r.querySelector(css)?.textContent?.trim() ?? null]),
        ),
      ),
    selectors,
  );
}

/** A pattern for `key=value` in a URL's query (the fragment, if any, follows it). */
export function queryParam(key: string, value: string): RegExp {
  return new RegExp(`[?&]${key}=${value}(&|#|$)`);
}

/** The search part of a page's URL as a map (repeated keys keep every value). */
export function urlParams(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}

/** A percentage as the site prints it ("12.22", "12.22%") to a number. */
export function parsePct(text: string | null): number {
  const m = (text ?? '').match(/-?\d+(?:\.\d+)?/);
  if (!m) throw new Error(`no number in ${JSON.stringify(text)}`);
  return Number(m[0]);
}

/** Asserts that a number shown with 2 decimals is the API's value rounded to 2 decimals. */
export function expectShown2dp(shown: string | null, value: number, what: string) {
  const n = parsePct(shown);
  expect(shown ?? '', `${what}: two decimals`).toMatch(/\d+\.\d{2}(?!\d)/);
  // Within half a unit of the last shown digit (rounding), whatever the rounding rule.
  expect(Math.abs(n - value), `${what}: shown ${shown}, API ${value}`).toBeLessThanOrEqual(0.005 + 1e-9);
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180: quoted fields may hold commas, quotes and newlines).

export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += ch;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows.filter((r) => !(r.length === 1 && r[0] === ''));
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

// ---------------------------------------------------------------------------------------------
// Upload inputs.

/**
 * The binary whose `sample-tree` command writes upload inputs: E2E_SAMPLE_TREE_BIN, else MIR_BIN
 * (which scripts/e2e-server.sh also serves with), else target/debug/mir-leaderboard.
 */
export function sampleTreeBinary(): string {
  const bin = process.env.E2E_SAMPLE_TREE_BIN ?? process.env.MIR_BIN ?? 'target/debug/mir-leaderboard';
  return path.isAbsolute(bin) ? bin : path.join(REPO_ROOT, bin);
}

/**
 * Writes a fictional model's full harness run as a zip with
 * `mir-leaderboard sample-tree <out> --variant <n>` and returns its path.
 */
export function makeSampleTree(variant: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mir-e2e-'));
  const out = path.join(dir, `sample-tree-${variant}.zip`);
  const bin = sampleTreeBinary();
  try {
    execFileSync(bin, ['sample-tree', out, '--variant', String(variant)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(
      `\`${bin} sample-tree\` failed (build the server binary first: it needs the sample-tree command): ${stderr || e}`,
    );
  }
  expect(fs.statSync(out).size, `sample-tree wrote ${out}`).toBeGreaterThan(0);
  return out;
}

/**
 * A tag that makes this run's archives and model names unique. The same archive is refused when
 * uploaded twice, and a server that was kept running (reuseExistingServer, or E2E_BASE_URL)
 * remembers earlier runs; on a fresh server any value works.
 */
const RUN_SECONDS = Math.floor(Date.now() / 1000);
export const RUN_TAG = process.env.E2E_RUN_TAG ?? RUN_SECONDS.toString(36);

/**
 * A sample-tree variant unique to this run, project and purpose (`slot` 0–9). Variants only
 * pick a fictional model and seed its random draws, so any number is valid.
 */
export function uniqueVariant(testInfo: TestInfo, slot: number): number {
  const project = jsEnabled(testInfo) ? 2 : 1;
  const run = process.env.E2E_RUN_TAG ? parseInt(process.env.E2E_RUN_TAG, 36) % 1_000_000 : RUN_SECONDS % 1_000_000;
  return 100 + project + 10 * slot + 100 * run;
}

/** A model name unique to this run and project, e.g. "E2E Upload ssr kq3x9a". */
export function uniqueModelName(testInfo: TestInfo, what = 'Upload'): string {
  return `E2E ${what} ${testInfo.project.name} ${RUN_TAG}`;
}

/** A file that is not an archive at all, named like one. */
export const BROKEN_ZIP = {
  name: 'bad.zip',
  mimeType: 'application/zip',
  buffer: Buffer.from('this is a text file, not a zip archive\n'),
};
