import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encrypts small secrets kept in the store (signing keys, a refresh token's successor during the
 * retry grace window) with AES-256-GCM under keys derived from the configured cookie secrets: the
 * first encrypts, any decrypts, so the secrets can be rotated. `purpose` separates the uses.
 */
export interface Sealer {
  /**
   * `context`, when given, is authenticated but not stored (GCM's additional data): the result
   * opens only with the same context, so it cannot be moved to another record.
   */
  seal(plaintext: string, context?: string): string;
  /** The plaintext, or `undefined` when no key opens it (tampered, another context, or a retired secret). */
  open(sealed: string, context?: string): string | undefined;
}

/**
 * One 256-bit key per configured secret (the first is current), derived with HKDF-SHA-256 so each
 * `purpose` gets keys of its own: a key that seals signing keys never keys anything else.
 */
export function deriveServerKeys(secrets: readonly string[], purpose: string): Buffer[] {
  return secrets.map((secret) =>
    Buffer.from(hkdfSync('sha256', secret, 'gatehouse-authorization-server', purpose, 32)),
  );
}

export function createSealer(secrets: readonly string[], purpose: string): Sealer {
  const keys = deriveServerKeys(secrets, purpose);
  const [current] = keys;
  if (!current) throw new TypeError('createSealer: at least one secret is required');
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      if (context !== undefined) cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open(sealed, context) {
      const raw = Buffer.from(sealed, 'base64url');
      if (raw.length < 28) return undefined;
      for (const key of keys) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
          decipher.setAuthTag(raw.subarray(12, 28));
          if (context !== undefined) decipher.setAAD(Buffer.from(context, 'utf8'));
          return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
        } catch {
          // Not this key: try the next one.
        }
      }
      return undefined;
    },
  };
}
