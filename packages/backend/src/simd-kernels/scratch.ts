import type { TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import type { WasmBackendInternals } from './engine.js';

/** Temporary buffers in tfjs-wasm's heap for one kernel call, 16-byte aligned, freed together. */
export class Scratch {
  private readonly allocations: number[] = [];

  constructor(private readonly backend: WasmBackendInternals) {}

  alloc(bytes: number, { zeroed = false } = {}): number {
    const raw = this.backend.wasm._malloc(bytes + 16);
    if (raw === 0) throw new BackendError(`the WASM heap cannot hold ${bytes} more bytes`);
    this.allocations.push(raw);
    const aligned = (raw + 15) & ~15;
    // HEAPU8 is re-read after malloc, which may have grown the memory.
    if (zeroed) this.backend.wasm.HEAPU8.fill(0, aligned, aligned + bytes);
    return aligned;
  }

  free(): void {
    for (const pointer of this.allocations) this.backend.wasm._free(pointer);
    this.allocations.length = 0;
  }
}

/** Where a tensor's data starts in the heap. */
export function heapOffset(backend: WasmBackendInternals, tensor: TensorInfo): number {
  const data = backend.dataIdMap.get(tensor.dataId);
  if (!data) throw new BackendError('a tensor of another backend reached a wasm kernel');
  return data.memoryOffset;
}
