import { defineConfig } from 'vite';

// Workspace packages resolve to their sources (the `fmnist-source` export condition): no build needed.
export default defineConfig({
  base: './',
  resolve: { conditions: ['fmnist-source', 'module', 'browser', 'development|production'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  preview: { host: '127.0.0.1' },
  server: { host: '127.0.0.1' },
});
