// `node --import ./run-from-source.mjs packages/cli/src/main.ts …`: registers source-hooks.mjs.
import { register } from 'node:module';

register('./source-hooks.mjs', import.meta.url);
