// SDK size: minified + gzipped bytes of the BFF client alone, of the whole Gatehouse SDK, and of
// oidc-client-ts, @auth0/auth0-spa-js and @azure/msal-browser, each bundled the same way (esbuild,
// ESM, browser platform, minified, every export kept). Writes bench/results/browser-size.md.
// Usage: npm run bench -- browser-size
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { machineLine } from '../lib/machine.js';

const sdk = fileURLToPath(new URL('../../packages/browser/dist/index.js', import.meta.url));

/** Bundles `contents` (an entry module) and returns raw, minified and gzipped sizes in bytes. */
async function measure(contents) {
  const result = await build({
    stdin: { contents, resolveDir: fileURLToPath(new URL('../..', import.meta.url)), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength };
}

const rows = [
  ['@gatehouse/browser — BFF client only', `export { createBffClient } from ${JSON.stringify(sdk)};`, 2048],
  ['@gatehouse/browser — the full SDK', `export * from ${JSON.stringify(sdk)};`, 10240],
  ['oidc-client-ts', `export * from 'oidc-client-ts';`],
  ['@auth0/auth0-spa-js', `export * from '@auth0/auth0-spa-js';`],
  ['@azure/msal-browser', `export * from '@azure/msal-browser';`],
];
const results = [];
for (const [name, entry, goal] of rows) {
  const size = await measure(entry);
  results.push({ name, ...size, goal });
  console.log(`${name}: ${size.gzipped} B gzipped (${size.minified} B minified)`);
}
const smallestPeer = Math.min(...results.slice(2).map((r) => r.gzipped));
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const report = `# SDK size

${machineLine()}

Each entry bundled alone with esbuild (ESM, browser, ES2022, minified, every export kept, so nothing
is tree-shaken away), then gzipped at level 9.

| package | minified | min + gzip | goal |
| --- | --- | --- | --- |
${results.map((r) => `| ${r.name} | ${kb(r.minified)} | ${kb(r.gzipped)} | ${r.goal ? `≤ ${kb(r.goal)}, < ${kb(smallestPeer)} (smallest peer)` : ''} |`).join('\n')}

Command: \`npm run bench -- browser-size\`.
`;
writeFileSync(new URL('../results/browser-size.md', import.meta.url), report);
console.log('wrote bench/results/browser-size.md');
