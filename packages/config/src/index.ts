export { ConfigError } from './config-error.js';
export { parseConfig } from './parse-config.js';
export { readConfigFile } from './read-config-file.js';
