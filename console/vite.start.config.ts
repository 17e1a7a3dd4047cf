import { defineConfig } from 'vite';

// The start page's script (console/start-page/start.ts), served by Palisade at /assets/start.js
// (server/src/http/start-page.ts) under the strict CSP: one ES module file with the SDK's web
// build bundled in (its CommonJS dependency, http-message-signatures, converted by Vite), no
// chunks to load, nothing inlined into the page. Built by `npm install` after the console.
export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist-start',
    emptyOutDir: true,
    target: 'es2022',
    lib: { entry: 'start-page/start.ts', formats: ['es'], fileName: () => 'start.js' },
  },
});
