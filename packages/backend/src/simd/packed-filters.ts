import type { TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import type { WasmBackendInternals } from './engine.js';
import type { Scratch } from './scratch.js';

type DisposingBackend = WasmBackendInternals & { disposeData(dataId: object, force?: boolean): boolean };

/**
 * Filters packed for the kernels (Winograd's transform, the direct kernel's panels), kept between calls
 * for inference: a model predicting again and again would otherwise pack every filter on every call,
 * which at batch 1 costs as much as the convolution. A filter tensor's packed copy is kept from its
 * second use in the same form (a training step uses each filter value once before the optimizer
 * replaces it, so training keeps nothing), and freed when the tensor's data is (tfjs tensors are
 * immutable; `Variable.assign` swaps in new data and disposes the old).
 */
class PackedFilters {
  private readonly seen = new WeakMap<object, Set<string>>();
  private readonly kept = new Map<object, Map<string, number>>();

  constructor(private readonly backend: DisposingBackend) {
    const dispose = backend.disposeData.bind(backend);
    backend.disposeData = (dataId, force) => {
      const disposed = dispose(dataId, force);
      if (!backend.dataIdMap.get(dataId)) this.release(dataId);
      return disposed;
    };
  }

  /**
   * Where `filter` packed as `form` (a description of the packing: algorithm, tile, direction) is:
   * kept, or packed by `pack` now (into `scratch` on a first use, kept from the second).
   */
  packed(filter: TensorInfo, form: string, bytes: number, scratch: Scratch, pack: (at: number) => void): number {
    const kept = this.kept.get(filter.dataId)?.get(form);
    if (kept !== undefined) return align(kept);
    const forms = this.seen.get(filter.dataId) ?? new Set<string>();
    this.seen.set(filter.dataId, forms);
    if (!forms.has(form)) {
      forms.add(form);
      const at = scratch.alloc(bytes);
      pack(at);
      return at;
    }
    const raw = this.backend.wasm._malloc(bytes + 16);
    if (raw === 0) throw new BackendError(`the WASM heap cannot hold ${bytes} more bytes`);
    const entries = this.kept.get(filter.dataId) ?? new Map<string, number>();
    this.kept.set(filter.dataId, entries);
    entries.set(form, raw);
    pack(align(raw));
    return align(raw);
  }

  private release(dataId: object): void {
    const entries = this.kept.get(dataId);
    if (!entries) return;
    for (const raw of entries.values()) this.backend.wasm._free(raw);
    this.kept.delete(dataId);
  }
}

function align(raw: number): number {
  return (raw + 15) & ~15;
}

const caches = new WeakMap<object, PackedFilters>();

/** The packed-filter cache of `backend`, which from now on frees a tensor's packed copies with it. */
export function packedFilters(backend: WasmBackendInternals): PackedFilters {
  let cache = caches.get(backend);
  if (!cache) {
    cache = new PackedFilters(backend as DisposingBackend);
    caches.set(backend, cache);
  }
  return cache;
}

/** `bias` (or zeros without one) at `dst`, zero-padded to `columns` floats, as the kernels' packers lay it out. */
export function packBias(
  backend: WasmBackendInternals,
  bias: number,
  outC: number,
  columns: number,
  dst: number,
): void {
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  heap.fill(0, dst / 4, dst / 4 + columns);
  if (bias) heap.copyWithin(dst / 4, bias / 4, bias / 4 + outC);
}
