export { ConfigError } from './config-error.js';
export { type ConfigField, listConfigFields } from './config-fields.js';
export { renderConfigTable } from './config-table.js';
export { isLoopbackHost, isLoopbackUrl } from './loopback.js';
export { type ParseConfigOptions, parseConfig } from './parse-config.js';
export { readConfigFile } from './read-config-file.js';
export {
  listSecretValues,
  type ResolvedSecrets,
  resolveSecretReferences,
  type SecretSources,
} from './secret-reference.js';
export { isSecretSchema, secretKeyword, secretString } from './secret-string.js';
