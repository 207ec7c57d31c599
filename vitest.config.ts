import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Tests run against sources: `@fmnist/x` and `@fmnist/x/sub` resolve to packages/x/src, no build needed.
const projects = ['packages', 'apps'].flatMap((group) =>
  existsSync(`${root}${group}`)
    ? readdirSync(`${root}${group}`).map((name) => ({
        extends: true as const,
        test: { name, root: `${root}${group}/${name}`, include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
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
