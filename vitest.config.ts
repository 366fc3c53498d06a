import { existsSync, readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Tests import other packages by name and get their TypeScript sources (the `gatehouse-source`
// export condition), so a change is tested without a rebuild.
const sourceCondition = ['gatehouse-source'];

/**
 * One Vitest project per workspace that has tests, plus the browser journeys in `test/e2e`:
 * `npm test` runs every one of them.
 */
function workspaceProjects() {
  // Whole journeys in Chromium, attacks end to end over HTTP (one file per attacker), and the
  // deployment example run behind Debian's nginx.
  const topLevel = ['e2e', 'attacks', 'fuzz', 'docs', 'deployment']
    .filter((name) => existsSync(`test/${name}`))
    .map((name) => ({ extends: true as const, test: { name, root: `test/${name}`, include: ['**/*.test.ts'] } }));
  return ['packages', 'apps/demo']
    .flatMap((folder) =>
      existsSync(folder)
        ? readdirSync(folder)
            .filter((name) => existsSync(`${folder}/${name}/test`))
            .map((name) => ({
              extends: true as const,
              test: { name, root: `${folder}/${name}`, include: ['test/**/*.test.ts'] },
            }))
        : [],
    )
    .concat(topLevel);
}

export default defineConfig({
  resolve: { conditions: sourceCondition },
  ssr: { resolve: { conditions: sourceCondition, externalConditions: sourceCondition } },
  test: {
    projects: workspaceProjects(),
    reporters: ['default', './tools/summary-reporter.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
