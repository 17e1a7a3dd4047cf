import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Served by Palisade at /console/ (server/src/console/serve.ts) under a CSP without inline
// script or style: Vite emits module scripts and stylesheets as files, and no modulepreload
// polyfill (which it would inline).
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, modulePreload: { polyfill: false }, assetsInlineLimit: 0, chunkSizeWarningLimit: 1200 },
});
