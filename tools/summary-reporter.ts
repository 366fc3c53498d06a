import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the run with one line of counts, so the last line of a CI log says what passed and failed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed') counts.failed += 1;
        else counts.skipped += 1;
      }
    }
    const failedModules = testModules.filter((module) => module.state() === 'failed').length;
    const extra = [
      failedModules > 0 ? `${failedModules} test files failed` : '',
      unhandledErrors.length > 0 ? `${unhandledErrors.length} unhandled errors` : '',
    ].filter(Boolean);
    const suffix = extra.length > 0 ? `; ${extra.join('; ')}` : '';
    process.stdout.write(
      `\nTests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${suffix}\n`,
    );
  }
}
