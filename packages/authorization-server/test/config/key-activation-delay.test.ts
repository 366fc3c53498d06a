import { ConfigError } from '@gatehouse/config';
import { describe, expect, it } from 'vitest';
import { loadAuthorizationServerConfig } from '../../src/config/as-config.js';
import {
  jwksMaxAgeSeconds,
  keyReloadSeconds,
  minimumKeyActivationDelaySeconds,
} from '../../src/protocol/key-publication.js';

const base = { issuer: 'http://localhost:4000', cookieSecrets: ['key-activation-test-secret-0123456789'] };

describe('keyActivationDelaySeconds', () => {
  it('is at least the JWKS max-age plus the key reload interval', () => {
    expect(minimumKeyActivationDelaySeconds).toBe(jwksMaxAgeSeconds + keyReloadSeconds);
    expect(loadAuthorizationServerConfig(base).keyActivationDelaySeconds).toBeGreaterThanOrEqual(
      minimumKeyActivationDelaySeconds,
    );
    expect(
      loadAuthorizationServerConfig({ ...base, keyActivationDelaySeconds: minimumKeyActivationDelaySeconds })
        .keyActivationDelaySeconds,
    ).toBe(minimumKeyActivationDelaySeconds);
  });

  it.each([0, 5, minimumKeyActivationDelaySeconds - 1])(
    'refuses %i seconds in one line naming the field (a key would sign before every JWKS copy has it)',
    (delay) => {
      let thrown: unknown;
      try {
        loadAuthorizationServerConfig({ ...base, keyActivationDelaySeconds: delay });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).field).toBe('keyActivationDelaySeconds');
      expect((thrown as Error).message).not.toContain('\n');
      expect((thrown as Error).message).toMatch(/^authorization server config: keyActivationDelaySeconds: /);
      expect((thrown as Error).message).toContain(String(minimumKeyActivationDelaySeconds));
    },
  );
});
