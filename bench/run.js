// Runs every benchmark under bench/<name>/run.js, one after another, each in its own process and
// bounded in time; each writes bench/results/<name>.md. The soak (bench/soak) runs only when named:
// it takes half an hour and bounds itself.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const onlyWhenNamed = new Set(['soak']);
const names = readdirSync(benchDir)
  .filter((name) => existsSync(join(benchDir, name, 'run.js')))
  .filter((name) => (only.length === 0 ? !onlyWhenNamed.has(name) : only.includes(name)));
const limitMs = 10 * 60_000;

let failed = 0;
for (const name of names) {
  console.log(`bench: ${name}`);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [join(benchDir, name, 'run.js')], { stdio: 'inherit' });
    const timer = setTimeout(() => {
      if (onlyWhenNamed.has(name)) return;
      console.error(`bench: ${name} ran over ${limitMs / 1000} s; stopped`);
      child.kill('SIGKILL');
    }, limitMs);
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode ?? 1);
    });
  });
  if (code !== 0) failed += 1;
}
console.log(`bench: ${names.length - failed} of ${names.length} benchmarks finished; results in bench/results/`);
process.exitCode = failed > 0 ? 1 : 0;
