// Module hooks that let `node` run the CLI from its TypeScript sources, as Vitest does, so a test
// can start `gatehouse` as a real child process (and send it a real SIGTERM) without a build:
// workspace packages resolve to their `gatehouse-source` export, `./x.js` finds `./x.ts`, and `.ts`
// files are stripped of their types by esbuild.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

export async function resolve(specifier, context, nextResolve) {
  const conditions = [...new Set(['gatehouse-source', ...context.conditions])];
  try {
    return await nextResolve(specifier, { ...context, conditions });
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !specifier.startsWith('.') || !specifier.endsWith('.js')) throw error;
    return nextResolve(`${specifier.slice(0, -3)}.ts`, { ...context, conditions });
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const source = await readFile(fileURLToPath(url), 'utf8');
  const { code } = await transform(source, { loader: 'ts', format: 'esm', target: 'node20', sourcefile: url });
  return { format: 'module', source: code, shortCircuit: true };
}
