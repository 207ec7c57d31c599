import { backend as currentBackend, getBackend, getKernel } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import { KERNEL_BINARIES_BASE64 } from './binaries.js';

/** Which build of our kernels runs: with relaxed SIMD's fused multiply-add, plain SIMD128, or none. */
export type SimdKernelBuild = 'relaxed-simd' | 'simd128' | 'off';

export interface SimdKernelChoice {
  build: SimdKernelBuild;
  /** Why this build, in words for a log line. */
  reason: string;
}

/** The exports of `assembly/conv.ts`; every pointer is a byte offset into tfjs-backend-wasm's memory. */
export interface SimdKernelExports {
  packColumns(src: number, k: number, n: number, dst: number, bias: number, biasOut: number): void;
  packFilterTransposed(src: number, taps: number, ci: number, co: number, dst: number, biasOut: number): void;
  convIndirect(...args: number[]): void;
  convFilterGradient(...args: number[]): void;
  convFilterGradientByTaps(...args: number[]): void;
  winogradPackFilter(...args: number[]): void;
  winogradConv(...args: number[]): void;
  winogradFilterGradient(...args: number[]): void;
  batchNormForward(...args: number[]): void;
  batchNormGradient(...args: number[]): void;
  batchNormMoments(...args: number[]): void;
  batchNormTrainingGradient(...args: number[]): void;
  maxPoolGrad(...args: number[]): void;
  reluGradient(dy: number, x: number, out: number, count: number): void;
  squareGradient(dy: number, x: number, out: number, count: number): void;
  channelBinary(...args: number[]): void;
  dropoutMask(out: number, count: number, seed: number, threshold: number, kept: number): void;
  adamWUpdate(...args: number[]): void;
}

/** The parts of tfjs-backend-wasm's `BackendWasm` the kernels use (its class is not exported typed). */
export interface WasmBackendInternals {
  wasm: {
    _malloc(bytes: number): number;
    _free(pointer: number): void;
    HEAPU8: Uint8Array;
    asm?: { memory?: WebAssembly.Memory };
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Environment variable that forces a build (`relaxed-simd`, `simd128`, `off`), for comparisons. */
export const SIMD_KERNELS_ENV = 'FMNIST_WASM_KERNELS';

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

interface NodeProcessLike {
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (name: string) => unknown;
}

const nodeProcess = (globalThis as { process?: NodeProcessLike }).process;

/**
 * Node 20's V8 has relaxed SIMD behind a flag; flags set before a module is compiled apply to it.
 * Node ≥ 22 and Chrome ≥ 114 have it on by default, so this only matters on Node 20.
 */
function enableNodeRelaxedSimd(): boolean {
  const v8 = nodeProcess?.getBuiltinModule?.('node:v8') as
    | { setFlagsFromString(flags: string): void }
    | undefined;
  if (!v8) return false;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return true;
}

function requestedBuild(): SimdKernelBuild | undefined {
  const value = nodeProcess?.env?.[SIMD_KERNELS_ENV];
  if (value === undefined || value === '') return undefined;
  if (value === 'relaxed-simd' || value === 'simd128' || value === 'off') return value;
  throw new BackendError(`${SIMD_KERNELS_ENV}='${value}': expected relaxed-simd, simd128 or off`);
}

function detect(): SimdKernelChoice {
  const requested = requestedBuild();
  if (requested === 'off') return { build: 'off', reason: `${SIMD_KERNELS_ENV}=off` };
  const relaxed = decode(KERNEL_BINARIES_BASE64['relaxed-simd']);
  const plain = decode(KERNEL_BINARIES_BASE64.simd128);
  if (requested !== 'simd128') {
    if (WebAssembly.validate(relaxed))
      return { build: 'relaxed-simd', reason: 'relaxed SIMD: fused multiply-add' };
    if (enableNodeRelaxedSimd() && WebAssembly.validate(relaxed)) {
      return { build: 'relaxed-simd', reason: 'relaxed SIMD enabled by flag: fused multiply-add' };
    }
  }
  if (WebAssembly.validate(plain)) {
    return {
      build: 'simd128',
      reason: requested === 'simd128' ? `${SIMD_KERNELS_ENV}=simd128` : 'no relaxed SIMD in this engine',
    };
  }
  return { build: 'off', reason: 'no WebAssembly SIMD in this engine' };
}

let choice: SimdKernelChoice | undefined;
let compiled: WebAssembly.Module | undefined;
let instances = new WeakMap<object, SimdKernelExports | null>();
let bindFailures = new WeakMap<object, string>();

/**
 * Chooses the build from now on (`off`: tfjs-wasm's XNNPACK kernels), as `FMNIST_WASM_KERNELS` does at
 * start-up; for comparisons. Throws if the engine cannot run the requested build.
 */
export function setSimdKernelBuild(build: SimdKernelBuild): void {
  const bytes = build === 'off' ? undefined : decode(KERNEL_BINARIES_BASE64[build]);
  if (bytes && !WebAssembly.validate(bytes)) {
    throw new BackendError(
      `setSimdKernelBuild('${build}'): this engine cannot run the ${build} build of the conv kernels`,
    );
  }
  choice = { build, reason: 'set by setSimdKernelBuild' };
  compiled = undefined;
  instances = new WeakMap();
  bindFailures = new WeakMap();
}

/** The build our kernels use in this process, detected once. */
export function simdKernelChoice(): SimdKernelChoice {
  choice ??= detect();
  return choice;
}

function moduleBytes(): Uint8Array<ArrayBuffer> | undefined {
  const { build } = simdKernelChoice();
  return build === 'off' ? undefined : decode(KERNEL_BINARIES_BASE64[build]);
}

/**
 * Compiles the chosen build off the main thread's critical path (browsers refuse to compile large
 * modules synchronously there). Kernels compile synchronously on first use when this was not awaited.
 */
export async function compileSimdKernels(): Promise<void> {
  const bytes = moduleBytes();
  if (bytes && !compiled) compiled = await WebAssembly.compile(bytes);
}

/**
 * Our kernels bound to `backend`'s memory, or undefined when they cannot run there (no SIMD, or a
 * memory they cannot import, such as the shared memory of tfjs-wasm's threaded build).
 */
export function simdKernelsFor(backend: object): SimdKernelExports | undefined {
  const known = instances.get(backend);
  if (known !== undefined) return known ?? undefined;
  let exports: SimdKernelExports | null = null;
  const memory = (backend as Partial<WasmBackendInternals>).wasm?.asm?.memory;
  const bytes = moduleBytes();
  if (!memory) bindFailures.set(backend, "tfjs-backend-wasm's memory is not reachable");
  else if (bytes) {
    try {
      compiled ??= new WebAssembly.Module(bytes);
      exports = new WebAssembly.Instance(compiled, { env: { memory } })
        .exports as unknown as SimdKernelExports;
    } catch (error) {
      // e.g. the shared memory of tfjs-wasm's threaded build, which a module must declare as shared.
      bindFailures.set(backend, `cannot use tfjs-wasm's memory (${(error as Error).message})`);
    }
  }
  instances.set(backend, exports);
  return exports ?? undefined;
}

/**
 * Binds our kernels to `backend` now and says which build runs there, or why none does (tfjs-wasm's
 * own XNNPACK kernels then run instead): the backend line of `useBestBackend` reports it.
 */
export function simdKernelStatus(backend: object): SimdKernelChoice {
  const detected = simdKernelChoice();
  if (detected.build === 'off') return detected;
  if (simdKernelsFor(backend)) return detected;
  return { build: 'off', reason: bindFailures.get(backend) ?? 'not bound' };
}

/** A wasm backend as a kernel of ours sees it: its heap, and the outputs it makes. */
export type OutputBackend = WasmBackendInternals & {
  makeOutput(shape: number[], dtype: 'float32'): { dataId: object; shape: number[]; dtype: 'float32' };
};

/**
 * Whether our kernel `kernelName` runs on the current backend: registered there (wasm, by
 * registerWasmTrainingKernels) with our SIMD kernels bound to it.
 */
export function ourKernelRuns(kernelName: string): boolean {
  return getKernel(kernelName, getBackend()) !== undefined && simdKernelsFor(currentBackend()) !== undefined;
}

/**
 * The backend a call of our kernel `kernelName` runs on and our kernels bound to it; throws a
 * BackendError naming the kernel when they are not (a kernel registered where they cannot bind).
 */
export function boundKernels(
  backend: unknown,
  kernelName: string,
): { backend: OutputBackend; kernels: SimdKernelExports } {
  const kernels = simdKernelsFor(backend as object);
  if (!kernels) throw new BackendError(`${kernelName} needs the SIMD kernels bound`);
  return { backend: backend as OutputBackend, kernels };
}
