import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** A token-encryption key as configured: 32 random bytes, base64url (43 characters). */
const keyPattern = /^[A-Za-z0-9_-]{43}$/;
const format = 'v1';
const ivBytes = 12; // GCM's natural nonce size
const tagBytes = 16;

/** The ciphertext could not be opened with any configured key, or was altered. */
export class TokenDecryptionError extends Error {
  override readonly name = 'TokenDecryptionError';
  readonly code = 'ERR_TOKEN_DECRYPTION';
}

export interface TokenCipher {
  /**
   * Encrypts with the first key. `context` (a session id, say) is authenticated but not stored:
   * the ciphertext opens only with the same context, so it cannot be moved to another record.
   */
  seal(plaintext: string, context: string): string;
  /** Decrypts with whichever configured key sealed it; throws {@link TokenDecryptionError}. */
  open(sealed: string, context: string): string;
}

/**
 * AES-256-GCM for token material at rest, with key rotation: encrypt with the first key, decrypt
 * with any. Sealed form: `v1.<key id>.<iv>.<ciphertext+tag>`, base64url parts; the key id is a short
 * hash of the key (not secret), so opening needs no trial decryption.
 *
 * @example
 * const cipher = createTokenCipher(config.tokenEncryptionKeys);
 * const sealed = cipher.seal(refreshToken, sessionId);
 */
export function createTokenCipher(keys: readonly string[]): TokenCipher {
  if (!Array.isArray(keys) || keys.length === 0) throw new TypeError('at least one token-encryption key is required');
  const byId = new Map<string, Buffer>();
  const ids = keys.map((key, i) => {
    if (typeof key !== 'string' || !keyPattern.test(key)) {
      throw new TypeError(`token-encryption key ${i} must be 32 random bytes in base64url (43 characters)`);
    }
    const bytes = Buffer.from(key, 'base64url');
    const id = createHash('sha256').update(bytes).digest('base64url').slice(0, 8);
    if (byId.has(id)) throw new TypeError(`token-encryption key ${i} is listed twice`);
    byId.set(id, bytes);
    return id;
  });
  const currentId = ids[0] as string;
  const currentKey = byId.get(currentId) as Buffer;

  return Object.freeze({
    seal(plaintext: string, context: string): string {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv, { authTagLength: tagBytes });
      cipher.setAAD(additionalData(currentId, context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${format}.${currentId}.${iv.toString('base64url')}.${body.toString('base64url')}`;
    },

    open(sealed: string, context: string): string {
      const parts = typeof sealed === 'string' ? sealed.split('.') : [];
      const [version, id, ivText, bodyText] = parts;
      const key = id === undefined ? undefined : byId.get(id);
      if (parts.length !== 4 || version !== format || !key || !ivText || !bodyText) {
        throw new TokenDecryptionError('sealed token is malformed or its key is no longer configured');
      }
      const iv = Buffer.from(ivText, 'base64url');
      const body = Buffer.from(bodyText, 'base64url');
      if (iv.length !== ivBytes || body.length < tagBytes) throw new TokenDecryptionError('sealed token is malformed');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
        decipher.setAAD(additionalData(id as string, context));
        decipher.setAuthTag(body.subarray(body.length - tagBytes));
        return Buffer.concat([decipher.update(body.subarray(0, body.length - tagBytes)), decipher.final()]).toString(
          'utf8',
        );
      } catch (error) {
        throw new TokenDecryptionError('sealed token failed authentication', { cause: error });
      }
    },
  });
}

function additionalData(keyId: string, context: string): Buffer {
  return Buffer.from(`${format}.${keyId}.${context}`, 'utf8');
}
