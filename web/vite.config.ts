import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// Preact through Vite's built-in JSX transform (no Babel-based plugin needed): the page stays a
// few tens of kB and the build has one moving part.
export default defineConfig({
  root: here,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
  },
  server: {
    // `npm run dev:web` next to `anirec serve`: API calls go to the real server.
    proxy: { '/v1': 'http://127.0.0.1:8080' },
  },
});
