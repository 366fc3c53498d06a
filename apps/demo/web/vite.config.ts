import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The SDK is bundled from its sources, so building the SPA never waits for (or trusts) its dist.
// The runtime `demo-config.json` is written next to the built files by `gatehouse dev`; it is not in
// `public/`, which would copy a stale one into dist.
// biome-ignore lint/style/noDefaultExport: Vite reads its configuration from the default export.
export default defineConfig({
  root: here('.'),
  base: '/',
  resolve: {
    alias: { '@gatehouse/browser': here('../../../packages/browser/src/index.ts') },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    rolldownOptions: {
      input: {
        main: here('index.html'),
        'public-client': here('public-client.html'),
        'silent-callback': here('silent-callback.html'),
      },
      output: {
        // The code both pages share, and the one stylesheet, under names that say what they are.
        chunkFileNames: 'assets/shared-[hash].js',
        assetFileNames: (asset) =>
          asset.names.some((name) => name.endsWith('.css'))
            ? 'assets/styles-[hash][extname]'
            : 'assets/[name]-[hash][extname]',
      },
    },
  },
});
