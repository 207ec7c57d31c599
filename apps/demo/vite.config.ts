import { defineConfig } from 'vite';

/**
 * Cross-origin isolation (`crossOriginIsolated` true): the training workers may share memory
 * (`SharedArrayBuffer`) only on an isolated page. Static hosts need the same two headers.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// Workspace packages resolve to their sources (the `fmnist-source` export condition): no build needed.
export default defineConfig({
  base: './',
  resolve: { conditions: ['fmnist-source', 'module', 'browser', 'development|production'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  // Module workers (the training worker imports tfjs and our packages).
  worker: { format: 'es' },
  preview: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  server: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
});
