import { defineConfig } from 'vitest/config';

// The packaging checks: they need built packages (`pnpm build`) and the npm registry for peer dependencies.
export default defineConfig({
  test: { include: ['e2e/**/*.test.ts'], testTimeout: 600_000, hookTimeout: 900_000, pool: 'forks' },
});
