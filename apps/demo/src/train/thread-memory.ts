/** One thread's memory: tfjs's live tensors and their bytes, and its JS heap where the browser tells it. */
export interface ThreadMemory {
  numTensors: number;
  numBytes: number;
  /**
   * `performance.memory.usedJSHeapSize`, a Chromium-only API (precise only with
   * `--enable-precise-memory-info`; otherwise rounded and refreshed rarely). Absent where the thread has
   * none: other browsers, and workers.
   */
  heapBytes?: number;
}

type ChromiumPerformance = Performance & { memory?: { usedJSHeapSize: number } };

/** This thread's figures, from its tfjs engine's `memory()`. */
export function threadMemory(tensors: { numTensors: number; numBytes: number }): ThreadMemory {
  const heapBytes = (performance as ChromiumPerformance).memory?.usedJSHeapSize;
  return {
    numTensors: tensors.numTensors,
    numBytes: tensors.numBytes,
    ...(heapBytes === undefined ? {} : { heapBytes }),
  };
}
