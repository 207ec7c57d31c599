import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup setup every published package shares: ESM + CJS, declarations, sourcemaps and an
 * explicit target. A package passes only its entry points (and externals, rarely).
 */
export function getTsupConfig(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: ['node20', 'es2022'],
    splitting: true,
    treeshake: true,
    shims: false,
    ...overrides,
  });
}
