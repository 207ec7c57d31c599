/** Fashion-MNIST's classes: one row of targets per image. */
const CLASSES = 10;

/**
 * Fills `y` (one row of 10 per image) with the distillation targets of the images `indices` (labels
 * `labels`): `1 - alpha` of the one-hot label plus `alpha` of the teachers' probabilities for that image,
 * row `indices[i]` of `targets`.
 */
export function distillationTargets(
  y: Float32Array,
  labels: Uint8Array,
  indices: Uint32Array,
  targets: Float32Array,
  alpha: number,
): void {
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i]! * CLASSES;
    for (let k = 0; k < CLASSES; k++) y[i * CLASSES + k] = alpha * targets[from + k]!;
    y[i * CLASSES + labels[i]!]! += 1 - alpha;
  }
}
