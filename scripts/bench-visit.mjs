// What a visit costs in headless Chromium (Debian's, as in the end-to-end suite): bytes on the
// wire and requests of a first visit with an empty cache, its largest contentful paint, and the
// bytes of a repeat visit. Prints JSON. Used by scripts/bench.sh.
//
//   node scripts/bench-visit.mjs http://127.0.0.1:PORT/
import { createRequire } from 'node:module';
const require = createRequire(new URL('../end2end/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const url = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext();
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');
let bytes = 0;
let requests = 0;
// Per resource (path and bytes on the wire), so the report says where a visit's bytes go.
let parts = [];
const urls = new Map();
cdp.on('Network.requestWillBeSent', (e) => {
  requests++;
  urls.set(e.requestId, new URL(e.request.url).pathname);
});
cdp.on('Network.loadingFinished', (e) => {
  bytes += e.encodedDataLength;
  parts.push({ path: urls.get(e.requestId) ?? '?', bytes: e.encodedDataLength });
});

async function visit() {
  bytes = 0;
  requests = 0;
  parts = [];
  await page.goto(url, { waitUntil: 'networkidle' });
  const lcp = await page.evaluate(
    () =>
      new Promise((resolve) => {
        new PerformanceObserver((list) => {
          const entries = list.getEntries();
          resolve(entries[entries.length - 1].startTime);
        }).observe({ type: 'largest-contentful-paint', buffered: true });
        setTimeout(() => resolve(-1), 3000);
      }),
  );
  return { bytes, requests, lcp, parts };
}

const first = await visit();
const repeat = await visit();
console.log(JSON.stringify({ url, first, repeat }));
await browser.close();
