import { readFile } from 'node:fs/promises';
import { ConfigError } from './config-error.js';

/** Largest configuration file accepted; a bigger one is a mistake, not a configuration. */
const maxConfigFileBytes = 1024 * 1024;

/**
 * Reads and parses a JSON configuration file, turning every failure into a one-line {@link ConfigError}
 * that names the file.
 */
export async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.byteLength > maxConfigFileBytes) {
      throw new ConfigError(`${path}: larger than ${maxConfigFileBytes} bytes`);
    }
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'cannot be read';
    throw new ConfigError(`${path}: ${reason}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}
