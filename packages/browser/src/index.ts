export type { BffClient, BffClientOptions, BffUser, LoginOptions } from './bff-client/bff-client.js';
export { createBffClient, LoginRequiredError } from './bff-client/bff-client.js';
export type { AppState } from './redirect-state/redirect-state.js';
export { saveAppState, takeAppState } from './redirect-state/redirect-state.js';
