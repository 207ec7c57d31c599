import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from './errors.js';
import { withoutEmscriptenHandlers } from './quiet-emscripten-handlers.js';
import { registerWasmTrainingKernels } from './register-all-kernels.js';
import { compileSimdKernels, type SimdKernelChoice, simdKernelStatus } from './simd/engine.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

export interface BackendSelection {
  name: BackendName;
  /** Why this backend, and why better ones were skipped. */
  reason: string;
  /** On `wasm`: which build of our SIMD conv kernels runs (or `off`, and why). */
  kernels?: SimdKernelChoice;
}

export interface UseBestBackendOptions {
  /** Where the one-line summary goes. Default `console.error`; `null` for silence. */
  log?: ((line: string) => void) | null;
  /** For tests: how a backend package is loaded. */
  importModule?: (specifier: string) => Promise<unknown>;
}

const PACKAGES: Record<BackendName, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

// Fastest first: native TensorFlow, then XNNPACK on WASM (trainable with our kernels), then plain JS.
const ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 200);
}

async function tryBackend(
  name: BackendName,
  load: (s: string) => Promise<unknown>,
): Promise<string | undefined> {
  try {
    await load(PACKAGES[name]);
  } catch (error) {
    return `${PACKAGES[name]} could not be loaded (${firstLine(error)})`;
  }
  if (!tf.findBackendFactory(name)) return `${PACKAGES[name]} loaded but registered no '${name}' backend`;
  if (name === 'wasm') {
    registerWasmTrainingKernels();
    await compileSimdKernels();
  }
  try {
    if (!(await withoutEmscriptenHandlers(() => tf.setBackend(name))))
      return `the '${name}' backend failed to initialize`;
  } catch (error) {
    return `the '${name}' backend failed to initialize (${firstLine(error)})`;
  }
  await tf.ready();
  return undefined;
}

/**
 * Selects the fastest available backend: `auto` tries tfjs-node, then WASM (with the training kernels
 * registered), then CPU. An explicit choice that is unavailable throws a `BackendError` saying why.
 */
export async function useBestBackend(
  preferred: BackendChoice = 'auto',
  options: UseBestBackendOptions = {},
): Promise<BackendSelection> {
  if (!BACKEND_CHOICES.includes(preferred)) {
    throw new BackendError(`unknown backend '${preferred}'; expected one of ${BACKEND_CHOICES.join(', ')}`);
  }
  const load = options.importModule ?? ((specifier: string) => import(specifier));
  const log = options.log === undefined ? (line: string) => console.error(line) : options.log;
  const candidates = preferred === 'auto' ? ORDER : [preferred];
  const skipped: string[] = [];
  for (const name of candidates) {
    const problem = await tryBackend(name, load);
    if (problem === undefined) {
      const reason =
        preferred === 'auto'
          ? skipped.length > 0
            ? `fastest available; skipped ${skipped.join('; ')}`
            : 'fastest available'
          : 'requested';
      if (name !== 'wasm') {
        log?.(`tfjs backend: ${name} (${reason})`);
        return { name, reason };
      }
      const kernels = simdKernelStatus(tf.backend());
      log?.(`tfjs backend: wasm (${reason}); conv kernels: ${kernels.build} (${kernels.reason})`);
      return { name, reason, kernels };
    }
    skipped.push(`${name}: ${problem}`);
  }
  throw new BackendError(
    preferred === 'auto'
      ? `no tfjs backend could be used: ${skipped.join('; ')}`
      : `backend '${preferred}' is not available: ${skipped.join('; ')}`,
  );
}
