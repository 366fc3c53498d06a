import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What `gatehouse dev` generates once and keeps in the state folder, so restarts agree. */
export interface DevSecrets {
  cookieSecret: string;
  bffClientSecret: string;
  tokenEncryptionKey: string;
  demoPassword: string;
}

/**
 * The dev secrets from `<stateDir>/dev-secrets.json`, created (mode 0600) on first use. Nothing is a
 * built-in default: a fresh checkout gets fresh random values, and the demo password is 20 random
 * characters (SECURITY.md §4: no default accounts).
 */
export async function loadDevSecrets(stateDir: string): Promise<{ secrets: DevSecrets; created: boolean }> {
  const path = join(stateDir, 'dev-secrets.json');
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<DevSecrets>;
    if (parsed.cookieSecret && parsed.bffClientSecret && parsed.tokenEncryptionKey && parsed.demoPassword) {
      return { secrets: parsed as DevSecrets, created: false };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
  }
  const secrets: DevSecrets = {
    cookieSecret: randomBytes(32).toString('base64url'),
    bffClientSecret: randomBytes(32).toString('base64url'),
    tokenEncryptionKey: randomBytes(32).toString('base64url'),
    demoPassword: randomBytes(15).toString('base64url'),
  };
  await mkdir(stateDir, { recursive: true });
  await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return { secrets, created: true };
}
