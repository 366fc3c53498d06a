// Fails when any installed package (direct or transitive, per package-lock.json) declares a Node.js
// engine range that excludes the oldest runtime Gatehouse supports.
import { readFileSync } from 'node:fs';
import semver from 'semver';

const oldestSupported = '20.19.0';
const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));
const refusals = [];
for (const [path, entry] of Object.entries(lock.packages ?? {})) {
  const range = entry.engines?.node;
  if (path === '' || typeof range !== 'string' || entry.optional) continue;
  if (!semver.satisfies(oldestSupported, range, { includePrerelease: true })) {
    refusals.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version}: engines.node "${range}"`);
  }
}
if (refusals.length > 0) {
  console.error(
    `check-engines: ${refusals.length} packages refuse Node.js ${oldestSupported}:\n  ${refusals.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(`check-engines: every locked package accepts Node.js ${oldestSupported}`);
