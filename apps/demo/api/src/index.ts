export type { DemoApiDeps } from './app.js';
export { buildDemoApi } from './app.js';
export type { DemoApiConfig } from './config.js';
export { demoApiConfigSchema, loadDemoApiConfig } from './config.js';
export type { ScheduledPost } from './routes/scheduled-posts.js';
