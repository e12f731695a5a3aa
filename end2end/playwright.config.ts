import { defineConfig } from '@playwright/test';

// End-to-end tests of the leaderboard, in Debian's Chromium, with JavaScript off (`ssr`) and on
// (`hydrate`). Playwright starts the server with ../scripts/e2e-server.sh: a fresh SQLite file with
// generated sample data and the maintainer token e2e-maintainer-token-0123456789.
//
//   cd end2end && npm ci && npm test        # needs target/debug/mir-leaderboard and target/site
//
// Environment:
//   E2E_PORT               port of the started server (default 3100)
//   E2E_BASE_URL           test an already running server instead (no webServer is started); it
//                          must have MIR_ADMIN_TOKEN=e2e-maintainer-token-0123456789 for the upload specs
//   MIR_BIN                server binary, for e2e-server.sh and for `sample-tree` (default target/debug/mir-leaderboard)
//   E2E_SAMPLE_TREE_BIN    only the binary that writes upload archives (`<bin> sample-tree out.zip --variant N`)
//   E2E_NO_HYDRATION_MARKER=1  for builds without body[data-hydrated]: wait for network idle instead
//   E2E_CHROMIUM           browser executable (default /usr/bin/chromium)
const port = process.env.E2E_PORT ?? '3100';
const external = process.env.E2E_BASE_URL;
const baseURL = external ?? `http://127.0.0.1:${port}`;

// Debian's Chromium; Playwright never downloads a browser here. Without the background-networking
// flags Chromium's own connections are refused in this sandbox and it misbehaves.
const launchOptions = {
  executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  // One shared database: uploads and approvals of one test are visible to the others.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    launchOptions,
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      // Server-rendered HTML only: every page and form must work without JavaScript.
      name: 'ssr',
      testIgnore: /.*\.hydrate\.spec\.ts$/,
      use: { javaScriptEnabled: false },
    },
    {
      // The same pages after the wasm bundle has hydrated them.
      name: 'hydrate',
      use: { javaScriptEnabled: true },
    },
  ],
  webServer: external
    ? undefined
    : {
        command: 'bash ../scripts/e2e-server.sh',
        url: `${baseURL}/healthz`,
        env: { E2E_PORT: port },
        reuseExistingServer: !process.env.CI,
        timeout: 120_000,
        stdout: 'ignore',
        stderr: 'pipe',
      },
});
