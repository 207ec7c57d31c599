import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// CI's second pass on another Node major (`pnpm test:node24`) checks our Node code on that Node. Tests whose
// subject is Chromium or ONNX Runtime's own binary (their Node side is only a harness) ran in the first pass
// and are not repeated, which keeps CI within its time budget.
const nodeCompatibilityPass = process.env.FMNIST_NODE_COMPAT_PASS === '1';
const FIRST_PASS_ONLY: Record<string, string[]> = {
  demo: ['src/**'],
  io: ['src/indexed-db-chromium.test.ts'],
  training: ['src/data-parallel/browser-trainer.test.ts'],
  onnx: ['src/shipped-*.test.ts'],
};

// Tests run against sources: `@fmnist/x` and `@fmnist/x/sub` resolve to packages/x/src, no build needed.
const projects = ['packages', 'apps'].flatMap((group) =>
  existsSync(`${root}${group}`)
    ? readdirSync(`${root}${group}`).map((name) => ({
        extends: true as const,
        test: {
          name,
          root: `${root}${group}/${name}`,
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...((nodeCompatibilityPass && FIRST_PASS_ONLY[name]) || [])],
        },
      }))
    : [],
);

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@fmnist\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
      { find: /^@fmnist\/([a-z-]+)\/([a-z-]+)$/, replacement: `${root}packages/$1/src/$2.ts` },
    ],
  },
  test: {
    projects,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
