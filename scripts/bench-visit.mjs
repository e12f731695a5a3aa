// What a visit costs in headless Chromium (Debian's, as in the end-to-end suite): bytes on the
// wire and requests of a first visit with an empty cache, its largest contentful paint, and the
// bytes of a repeat visit. Prints JSON. Used by scripts/bench.sh.
//
// Paint times on this 2-core machine vary by a factor of two from one load to the next, so the
// first visit is made VISITS times (default 11), each in a new browser context (an empty cache),
// and the median paint is reported with all of them; bytes are those of the first.
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
const visits = Number(process.env.VISITS ?? 11);

// One page in a new context (empty cache), with its bytes on the wire counted per resource.
async function open() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const seen = { bytes: 0, requests: 0, parts: [] };
  const urls = new Map();
  cdp.on('Network.requestWillBeSent', (e) => {
    seen.requests++;
    urls.set(e.requestId, new URL(e.request.url).pathname);
  });
  cdp.on('Network.loadingFinished', (e) => {
    seen.bytes += e.encodedDataLength;
    seen.parts.push({ path: urls.get(e.requestId) ?? '?', bytes: e.encodedDataLength });
  });
  return { context, page, seen };
}

async function visit({ page, seen }) {
  seen.bytes = 0;
  seen.requests = 0;
  seen.parts = [];
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
  return { bytes: seen.bytes, requests: seen.requests, lcp, parts: [...seen.parts] };
}

const firsts = [];
let last;
for (let i = 0; i < visits; i++) {
  if (last) await last.context.close();
  last = await open();
  firsts.push(await visit(last));
}
const repeat = await visit(last);
// A visit that painted nothing within 3 s (-1) counts as the slowest, not the fastest.
const paints = firsts.map((v) => (v.lcp < 0 ? Infinity : v.lcp)).sort((a, b) => a - b);
const median = paints[Math.floor((paints.length - 1) / 2)];
const first = { ...firsts[0], lcp: Number.isFinite(median) ? median : -1, lcps: firsts.map((v) => v.lcp) };
console.log(JSON.stringify({ url, first, repeat }));
await browser.close();
