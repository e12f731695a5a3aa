// Finishes the site's assets after the bundle is built: names the bundle's files by content
// hash (so they can be cached as immutable), lists the hashes in <site>/hash.txt where the
// server finds them (the format Leptos reads: `js: <hash>`, `wasm: <hash>`, `css: <hash>`),
// and writes brotli and gzip copies of every text and wasm asset, which the server sends as is
// to clients that accept them. Node's standard library has all three; nothing is installed.
//
//   node scripts/finish-assets.mjs target/site mir-leaderboard
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const [site, name] = process.argv.slice(2);
if (!site || !name) {
  console.error('usage: node scripts/finish-assets.mjs <site dir> <output name>');
  process.exit(2);
}
const pkg = join(site, 'pkg');

// MD5 in base64url: what cargo-leptos writes; any file-name-safe digest would do.
const hashes = {};
for (const ext of ['js', 'wasm', 'css']) {
  const plain = join(pkg, `${name}.${ext}`);
  const hash = createHash('md5').update(readFileSync(plain)).digest('base64url');
  renameSync(plain, join(pkg, `${name}.${hash}.${ext}`));
  hashes[ext] = hash;
}
writeFileSync(join(site, 'hash.txt'), `js: ${hashes.js}\nwasm: ${hashes.wasm}\ncss: ${hashes.css}\n`);

const compressible = /\.(js|wasm|css|svg|html|json|xml)$/;
function walk(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      walk(path);
    } else if (compressible.test(entry)) {
      const bytes = readFileSync(path);
      writeFileSync(`${path}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
    } else if (/\.(br|gz)$/.test(entry)) {
      unlinkSync(path);
    }
  }
}
walk(site);
console.log(`hashed ${name}.{js,wasm,css} and precompressed the assets in ${site}`);
