import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup setup every published package shares: ESM + CJS, declarations, sourcemaps and an
 * explicit target. A package passes only its entry points (and, rarely, overrides).
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
    // Keep the class names that tfjs serialization keys on.
    keepNames: true,
    ...overrides,
  });
}

/**
 * fast-png is ESM-only, so it is bundled (the CommonJS build works too), with the browser build of its
 * fflate (a devDependency of each package that bundles it): the Node build imports worker_threads.
 */
export const BUNDLE_FAST_PNG: Options = {
  noExternal: ['fast-png'],
  esbuildOptions: (options) => {
    options.alias = { ...options.alias, fflate: 'fflate/browser' };
  },
};
