import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the store example', () => {
  it('runs and shows one redemption of twenty, a revoked grant, an exclusive lock and a rate limit', () => {
    const example = join(import.meta.dirname, '..', 'examples', 'single-use-codes.js');
    const run = spawnSync(process.execPath, [example, 'memory'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('redeemed 1 of 20 attempts');
    expect(run.stdout).toMatch(/revoked 1 entries of grant:/);
    expect(run.stdout).toContain('lock taken: true; second attempt: false');
    expect(run.stdout).toContain('attempt 6: rate limited');
  });
});
