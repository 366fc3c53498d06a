export { ConfigError } from './config-error.js';
export { type ParseConfigOptions, parseConfig } from './parse-config.js';
export { readConfigFile } from './read-config-file.js';
