import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendInternals } from './engine.js';
import type { Scratch } from './scratch.js';

/**
 * Packs a filter for a kernel at `at` (heap offset, 16-byte aligned): Winograd's transform or the
 * direct kernel's panels.
 */
type PackFilter = (at: number) => void;

/**
 * Where the filter of one call is packed as `form` (a description of the packing that determines its
 * bytes: algorithm, tile, shape), `bytes` long: packed now by `pack`, or a copy kept from an earlier call.
 */
export type FilterPacker = (form: string, bytes: number, pack: PackFilter) => number;

/**
 * Packed copies kept at most, in bytes, per backend: the shipped models keep 4.6 MB (vgg) and 2.1 MB
 * (cnn-mlp), measured after predict (F(4x4, 3x3) holds 36 floats per 9 weights); beyond this, filters
 * pack per call as before, so an app holding many models cannot grow the heap without bound.
 */
const MAX_KEPT_BYTES = 32 * 1024 * 1024;

type TensorData = NonNullable<ReturnType<WasmBackendInternals['dataIdMap']['get']>>;
type DisposingBackend = WasmBackendInternals & {
  disposeData(dataId: object, force?: boolean): boolean;
  // `get` of a missing dataId asks the engine to move the data here (tfjs-core's DataStorage): not after disposal.
  dataIdMap: { has(dataId: object): boolean };
};

interface Kept {
  /** tfjs-wasm's record of the data when it was packed: `move` replaces it, so another one means stale. */
  data: TensorData;
  /** Raw `_malloc` pointer and size per form. */
  forms: Map<string, { raw: number; bytes: number }>;
}

/**
 * Filters packed for the kernels, kept between calls for inference: a model predicting again and
 * again would otherwise pack every filter on every call, which at batch 1 costs as much as the
 * convolution. A filter's packed copy is kept from its second use in the same form: a training step
 * reads each filter value once before the optimizer's `Variable.assign` swaps in new data (a new
 * dataId), so training keeps nothing and pays one WeakMap entry per call. tfjs data never changes
 * under a dataId in tfjs-wasm (kernels write new outputs; only `move` refills a dataId, after
 * disposing it here), so a kept copy is valid until its data is disposed, when it is freed.
 */
class PackedFilters {
  private readonly seen = new WeakMap<object, Set<string>>();
  private readonly kept = new Map<object, Kept>();
  private keptBytes = 0;

  constructor(private readonly backend: DisposingBackend) {
    // tfjs-wasm has no disposal hook; its engine calls this method of the instance for every tensor.
    const dispose = backend.disposeData.bind(backend);
    backend.disposeData = (dataId, force) => {
      const disposed = dispose(dataId, force);
      if (!backend.dataIdMap.has(dataId)) this.release(dataId);
      return disposed;
    };
  }

  /** Bytes held by kept copies; for tests. */
  get bytes(): number {
    return this.keptBytes;
  }

  packed(filter: TensorInfo, form: string, bytes: number, scratch: Scratch, pack: PackFilter): number {
    const data = this.backend.dataIdMap.get(filter.dataId);
    const entry = this.kept.get(filter.dataId);
    if (entry && entry.data !== data) this.release(filter.dataId);
    else {
      const copy = entry?.forms.get(form);
      if (copy) return align(copy.raw);
    }
    const forms = this.seen.get(filter.dataId);
    const reused = forms?.has(form) ?? false;
    if (!forms) this.seen.set(filter.dataId, new Set([form]));
    else forms.add(form);
    // A heap that cannot hold one more kept copy packs per call, as before there was a cache.
    const raw =
      data && reused && this.keptBytes + bytes <= MAX_KEPT_BYTES ? this.backend.wasm._malloc(bytes + 16) : 0;
    if (raw === 0) {
      const at = scratch.alloc(bytes);
      pack(at);
      return at;
    }
    try {
      pack(align(raw));
    } catch (error) {
      this.backend.wasm._free(raw);
      throw error;
    }
    // Recorded only once filled, so a failed pack never leaves a copy to be served.
    const kept = this.kept.get(filter.dataId) ?? { data: data!, forms: new Map() };
    this.kept.set(filter.dataId, kept);
    kept.forms.set(form, { raw, bytes });
    this.keptBytes += bytes;
    return align(raw);
  }

  private release(dataId: object): void {
    this.seen.delete(dataId);
    const entry = this.kept.get(dataId);
    if (!entry) return;
    for (const { raw, bytes } of entry.forms.values()) {
      this.backend.wasm._free(raw);
      this.keptBytes -= bytes;
    }
    this.kept.delete(dataId);
  }
}

function align(raw: number): number {
  return (raw + 15) & ~15;
}

const caches = new WeakMap<object, PackedFilters>();

function packedFilters(backend: WasmBackendInternals): PackedFilters {
  let cache = caches.get(backend);
  if (!cache) {
    cache = new PackedFilters(backend as DisposingBackend);
    caches.set(backend, cache);
  }
  return cache;
}

/** A {@link FilterPacker} that keeps `filter`'s packed forms on `backend` for later calls (forward passes). */
export function keptFilterPacker(
  backend: WasmBackendInternals,
  scratch: Scratch,
  filter: TensorInfo,
): FilterPacker {
  const cache = packedFilters(backend);
  return (form, bytes, pack) =>
    cache.packed(filter, `${form} ${filter.shape.join('x')}`, bytes, scratch, pack);
}

/** A {@link FilterPacker} that packs into `scratch` on every call (gradients, whose filters change each step). */
export function scratchFilterPacker(scratch: Scratch): FilterPacker {
  return (_form, bytes, pack) => {
    const at = scratch.alloc(bytes);
    pack(at);
    return at;
  };
}

/** Bytes of packed copies `backend` keeps (0 before any forward convolution); for tests. */
export function keptFilterBytes(backend: WasmBackendInternals): number {
  return caches.get(backend)?.bytes ?? 0;
}
