import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The build output is embedded in the Go binary (ui/embed.go) and committed,
// so it must be reproducible: no timestamps, content-hashed asset names, no
// source maps, and the same bytes for the same sources and lockfile.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2022',
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  server: {
    // `npm run dev` against a locally running `nexus serve`.
    proxy: {
      // ws: the realtime socket lives under /api/v1/ws.
      '/api': { target: 'http://127.0.0.1:8080', ws: true },
      '/healthz': 'http://127.0.0.1:8080',
      '/readyz': 'http://127.0.0.1:8080',
    },
  },
});
