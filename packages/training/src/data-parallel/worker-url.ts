import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TrainingError } from '../errors.js';

export interface WorkerScript {
  /** A file path, or code to run with `eval: true`. */
  script: string;
  eval: boolean;
  /** Node flags of the worker (from the sources: resolve `@fmnist/*` to their sources too). */
  execArgv?: string[];
}

/**
 * The worker script: beside this module in the build (`dist/data-parallel-worker.js`), or — when running
 * from the TypeScript sources, as tests do — a bootstrap that registers tsx and imports `worker.ts`.
 */
export function workerScript(moduleUrl: string): WorkerScript {
  const here = fileURLToPath(moduleUrl);
  if (here.endsWith('.ts')) {
    // The ESM build of the API: its register() installs the hooks in this worker's own loader.
    const tsx = pathToFileURL(
      createRequire(moduleUrl)
        .resolve('tsx/esm/api')
        .replace(/\.cjs$/, '.mjs'),
    ).href;
    const source = new URL('./worker.ts', moduleUrl).href;
    return {
      script: `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`,
      eval: true,
      execArgv: [...process.execArgv, '--conditions=fmnist-source'],
    };
  }
  const extension = here.endsWith('.cjs') ? 'cjs' : 'js';
  const file = fileURLToPath(new URL(`./data-parallel-worker.${extension}`, moduleUrl));
  if (!existsSync(file)) throw new TrainingError(`@fmnist/training: worker script missing at ${file}`);
  return { script: file, eval: false };
}
