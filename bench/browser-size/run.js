// SDK size: minified + gzipped bytes of the BFF client alone, of the whole Gatehouse SDK, and of
// oidc-client-ts, @auth0/auth0-spa-js and @azure/msal-browser; then the React bindings next to
// @auth0/auth0-react and react-oidc-context. Each entry is bundled the same way (esbuild, ESM, browser
// platform, minified, every export kept), React left out of every row as the app's own. Writes
// bench/results/browser-size.md, and exits 1 when a Gatehouse row is over its goal.
// Usage: npm run bench -- browser-size
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { machineLine } from '../lib/machine.js';

const dist = (name) => JSON.stringify(fileURLToPath(new URL(`../../packages/${name}/dist/index.js`, import.meta.url)));
const sdk = dist('browser');
const bindings = dist('react');
/** React is every React app's own: no row counts it. */
const react = ['react', 'react-dom', 'react/jsx-runtime'];

/** Bundles `contents` (an entry module) and returns raw, minified and gzipped sizes in bytes. */
async function measure(contents, external = []) {
  const result = await build({
    stdin: { contents, resolveDir: fileURLToPath(new URL('../..', import.meta.url)), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: [...react, ...external],
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength };
}

// [table, name, entry, goal in bytes (Gatehouse rows), modules left out besides React]
const rows = [
  ['sdk', '@gatehouse/browser — BFF client only', `export { createBffClient } from ${sdk};`, 2048],
  ['sdk', '@gatehouse/browser — the full SDK', `export * from ${sdk};`, 10240],
  ['sdk', 'oidc-client-ts', `export * from 'oidc-client-ts';`],
  ['sdk', '@auth0/auth0-spa-js', `export * from '@auth0/auth0-spa-js';`],
  ['sdk', '@azure/msal-browser', `export * from '@azure/msal-browser';`],
  [
    'react',
    '@gatehouse/react — the bindings alone (@gatehouse/browser left out)',
    `export * from ${bindings};`,
    3072,
    ['@gatehouse/browser'],
  ],
  [
    'react',
    '@gatehouse/react + the BFF client',
    `export * from ${bindings}; export { createBffClient } from ${sdk};`,
    6144,
  ],
  ['react', '@gatehouse/react + the full SDK', `export * from ${bindings}; export * from ${sdk};`, 12288],
  ['react', '@auth0/auth0-react (with @auth0/auth0-spa-js)', `export * from '@auth0/auth0-react';`],
  ['react', 'react-oidc-context (with oidc-client-ts)', `export * from 'react-oidc-context';`],
];
const results = [];
for (const [table, name, entry, goal, external] of rows) {
  const size = await measure(entry, external);
  results.push({ table, name, ...size, goal });
  console.log(`${name}: ${size.gzipped} B gzipped (${size.minified} B minified)`);
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
function table(name) {
  const inTable = results.filter((r) => r.table === name);
  const smallestPeer = Math.min(...inTable.filter((r) => !r.goal).map((r) => r.gzipped));
  const goal = (r) => {
    if (!r.goal) return '';
    const verdict = r.gzipped <= r.goal ? 'met' : '**exceeded**';
    return `≤ ${kb(r.goal)} (${verdict}); smallest peer ${kb(smallestPeer)}`;
  };
  return `| package | minified | min + gzip | goal |
| --- | --- | --- | --- |
${inTable.map((r) => `| ${r.name} | ${kb(r.minified)} | ${kb(r.gzipped)} | ${goal(r)} |`).join('\n')}`;
}
const over = results.filter((r) => r.goal && r.gzipped > r.goal);

const report = `# SDK size

${machineLine()}

Each entry bundled alone with esbuild (ESM, browser, ES2022, minified, production mode, every export
kept, so nothing is tree-shaken away), then gzipped at level 9. React and react-dom are left out of
every row: the app has them whichever library it picks. The bench fails (exit 1) when a Gatehouse row
is over its goal.

## Browser SDKs

${table('sdk')}

## React bindings

Each peer with the SDK it wraps (a dependency of @auth0/auth0-react, a peer of react-oidc-context), as
an app ships it.

${table('react')}

Command: \`npm run bench -- browser-size\`${over.length > 0 ? `\n\nOver the goal: ${over.map((r) => r.name).join(', ')}.` : '.'}
`;
writeFileSync(new URL('../results/browser-size.md', import.meta.url), report);
console.log('wrote bench/results/browser-size.md');
if (over.length > 0) {
  console.error(
    `browser-size: over the goal: ${over.map((r) => `${r.name} (${r.gzipped} B > ${r.goal} B)`).join('; ')}`,
  );
  process.exitCode = 1;
}
