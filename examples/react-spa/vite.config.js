import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// A plain Vite build: JSX needs no plugin (Vite compiles it with React's automatic runtime). React,
// @gatehouse/react and @gatehouse/browser resolve from the repository's node_modules (their dist/).
// biome-ignore lint/style/noDefaultExport: Vite reads its configuration from the default export.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
});
