import { describe, expect, it } from 'vitest';
import { BackendError } from './errors.js';
import { useBestBackend } from './select-backend.js';
import { tf } from './testing/tf.js';

// tfjs-node cannot be installed here (its install script downloads libtensorflow): a loader that fails
// for it the way Node does when the package is absent.
const withoutNode = (specifier: string) =>
  specifier === '@tensorflow/tfjs-node'
    ? Promise.reject(new Error(`Cannot find package '${specifier}'`))
    : import(specifier);

describe('useBestBackend', () => {
  it('falls back from tensorflow to wasm and says why, in one log line', async () => {
    const lines: string[] = [];
    const selection = await useBestBackend('auto', { importModule: withoutNode, log: (l) => lines.push(l) });
    expect(selection.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(selection.reason).toMatch(
      /skipped tensorflow: @tensorflow\/tfjs-node could not be loaded \(Cannot find package/,
    );
    // Node 20 enables relaxed SIMD by flag; Node >= 22 has it on: either way the fused build runs here.
    expect(selection.kernels).toEqual({
      build: 'relaxed-simd',
      reason: expect.stringMatching(/^relaxed SIMD/),
    });
    expect(lines).toEqual([
      `tfjs backend: wasm (${selection.reason}); conv kernels: relaxed-simd (${selection.kernels!.reason})`,
    ]);
  });

  it('falls back to cpu when wasm is unavailable too', async () => {
    const onlyCpu = (specifier: string) =>
      specifier.endsWith('cpu') ? import(specifier) : Promise.reject(new Error('not installed'));
    const selection = await useBestBackend('auto', { importModule: onlyCpu, log: null });
    expect(selection.name).toBe('cpu');
    expect(selection.reason).toContain(
      'wasm: @tensorflow/tfjs-backend-wasm could not be loaded (not installed)',
    );
  });

  it('throws a BackendError saying why when an explicit choice is unavailable', async () => {
    const attempt = useBestBackend('tensorflow', { importModule: withoutNode, log: null });
    await expect(attempt).rejects.toThrow(BackendError);
    await expect(useBestBackend('tensorflow', { importModule: withoutNode, log: null })).rejects.toThrow(
      /backend 'tensorflow' is not available: tensorflow: @tensorflow\/tfjs-node could not be loaded/,
    );
  });

  it('uses an explicit available backend', async () => {
    expect((await useBestBackend('cpu', { log: null })).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects an unknown backend name', async () => {
    await expect(useBestBackend('gpu' as never, { log: null })).rejects.toThrow(
      "unknown backend 'gpu'; expected one of auto, tensorflow, wasm, cpu",
    );
  });
});
