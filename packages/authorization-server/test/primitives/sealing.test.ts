import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSealer } from '../../src/primitives/sealing.js';

const secret = () => randomBytes(32).toString('base64url');

describe('sealer', () => {
  it('opens with any listed secret, the first sealing, and not once that secret is retired', () => {
    const [older, newer] = [secret(), secret()];
    const sealed = createSealer([older], 'test').seal('plain');
    expect(createSealer([newer, older], 'test').open(sealed)).toBe('plain');
    expect(createSealer([newer], 'test').open(sealed)).toBeUndefined();
    expect(createSealer([older], 'another purpose').open(sealed)).toBeUndefined();
  });

  it('binds a context: the sealed value opens only under the context it was sealed with', () => {
    const sealer = createSealer([secret()], 'test');
    const sealed = sealer.seal('plain', 'record-1');
    expect(sealer.open(sealed, 'record-1')).toBe('plain');
    expect(sealer.open(sealed, 'record-2')).toBeUndefined();
    expect(sealer.open(sealed)).toBeUndefined();
    expect(sealer.open(sealer.seal('plain'), 'record-1')).toBeUndefined();
  });

  it('refuses an altered or truncated value', () => {
    const sealer = createSealer([secret()], 'test');
    const raw = Buffer.from(sealer.seal('plain', 'c'), 'base64url');
    raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
    expect(sealer.open(raw.toString('base64url'), 'c')).toBeUndefined();
    expect(sealer.open('short', 'c')).toBeUndefined();
  });
});
