// The page of browser-transfer.bench.ts: one step's weights to a worker and its gradients back, as the
// trainer sends them (structured clone out, transfer back) and through SharedArrayBuffers.
const WORKER = `
onmessage = ({ data }) => {
  if (data.mode === 'clone') {
    // As the replica does: a tensor is made from each weight array, the gradients are fresh arrays.
    const grads = data.weights.map((w) => { const g = new Float32Array(w.length); g.set(w); return g; });
    postMessage(grads, grads.map((g) => g.buffer));
  } else {
    const weights = new Float32Array(data.weights);
    const grads = new Float32Array(data.grads);
    for (const [offset, length] of data.layout) grads.set(weights.subarray(offset, offset + length), offset);
    postMessage(null);
  }
};`;

async function roundTrips(sizes: number[], mode: 'clone' | 'shared', repeats: number): Promise<number> {
  const worker = new Worker(URL.createObjectURL(new Blob([WORKER], { type: 'text/javascript' })));
  const weights = sizes.map((n) => Float32Array.from({ length: n }, (_, i) => i % 7));
  const total = sizes.reduce((a, b) => a + b, 0);
  const layout: [number, number][] = [];
  let offset = 0;
  for (const n of sizes) {
    layout.push([offset, n]);
    offset += n;
  }
  const shared = mode === 'shared' ? new SharedArrayBuffer(total * 4) : undefined;
  const sharedGrads = mode === 'shared' ? new SharedArrayBuffer(total * 4) : undefined;
  const reply = () => new Promise<unknown>((resolve) => (worker.onmessage = ({ data }) => resolve(data)));
  const once = async () => {
    if (mode === 'clone') {
      const answer = reply();
      worker.postMessage({ mode, weights });
      const grads = (await answer) as Float32Array[];
      return grads[0]![0];
    }
    const view = new Float32Array(shared!);
    for (let i = 0; i < weights.length; i++) view.set(weights[i]!, layout[i]![0]);
    const answer = reply();
    worker.postMessage({ mode, weights: shared, grads: sharedGrads, layout });
    await answer;
    // The trainer would read each gradient out into a tensor: one copy, as `tf.tensor(grads)` makes.
    const grads = new Float32Array(sharedGrads!);
    return layout.map(([offset, length]) => grads.slice(offset, offset + length))[0]![0];
  };
  for (let i = 0; i < 3; i++) await once();
  const started = performance.now();
  for (let i = 0; i < repeats; i++) await once();
  const ms = (performance.now() - started) / repeats;
  worker.terminate();
  return ms;
}

Object.assign(globalThis, { roundTrips });
document.body.dataset.ready = 'true';
