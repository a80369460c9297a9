// Builds the twin into dist/twin-ui, which the edge serves on the same origin as Socket.IO.
// `npx vite --config twin-ui/vite.config.ts` runs a dev server that proxies the live API to an
// edge (EDGE_URL, default http://localhost:8080).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const edge = process.env.EDGE_URL ?? 'http://localhost:8080';

export default defineConfig({
  root,
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../dist/twin-ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/socket.io': { target: edge, ws: true },
      '/api': { target: edge },
    },
  },
});
