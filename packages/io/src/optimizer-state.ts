import * as tf from '@tensorflow/tfjs-core';
import { IoError } from './errors.js';

/** What tfjs optimizers exchange in getWeights/setWeights (not exported by tfjs-core). */
type NamedTensor = { name: string; tensor: tf.Tensor };
type OptimizerVariable = { originalName: string; variable: tf.Variable };

/**
 * Scalar variables tfjs-core 4.22 keeps outside `getWeights`, by optimizer class. Adam's `setWeights`
 * recomputes `accBeta1`/`accBeta2` as `pow(beta, t + 1)`, which differs in the last bit from the
 * product training keeps step by step, and the weights drift from there; Adamax has no
 * `getWeights`/`setWeights` at all (adamax_optimizer.js).
 */
const PRIVATE_SCALARS: Record<string, readonly string[]> = {
  Adam: ['accBeta1', 'accBeta2'],
  Adamax: ['accBeta1', 'iteration'],
};

/** Adamax's private state (adamax_optimizer.js): moments, weighted infinity norms, the step count. */
interface AdamaxInternals {
  iterations_?: number;
  accumulatedFirstMoment: OptimizerVariable[];
  accumulatedWeightedInfNorm: OptimizerVariable[];
}

/**
 * Everything that makes `optimizer` continue exactly: `weights` as its `setWeights` takes them (Adamax's
 * in the same layout as Adam's: the step count, then moments, then infinity norms), and `scalars`, its
 * private scalar variables, by field name.
 */
export async function readOptimizerState(
  optimizer: tf.Optimizer,
): Promise<{ weights: NamedTensor[]; scalars: NamedTensor[] }> {
  const className = optimizer.getClassName();
  const weights = className === 'Adamax' ? adamaxWeights(optimizer) : await optimizer.getWeights();
  const scalars = (PRIVATE_SCALARS[className] ?? []).map((name) => ({
    name,
    tensor: privateScalar(optimizer, name, 'saveCheckpoint'),
  }));
  return { weights, scalars };
}

/**
 * Puts back what `readOptimizerState` read. Without `scalars` (a checkpoint written before they were
 * saved) Adam recomputes its accumulators as tfjs does, exact to the last bit or so.
 */
export async function writeOptimizerState(
  optimizer: tf.Optimizer,
  weights: NamedTensor[],
  scalars: tf.NamedTensorMap,
  where: string,
): Promise<void> {
  const className = optimizer.getClassName();
  if (className === 'Adamax') setAdamaxWeights(optimizer, weights, scalars, where);
  else await optimizer.setWeights(weights);
  for (const name of PRIVATE_SCALARS[className] ?? []) {
    const saved = scalars[name];
    if (!saved) continue;
    const variable = privateScalar(optimizer, name, where);
    if (!tf.util.arraysEqual(saved.shape, variable.shape) || saved.dtype !== variable.dtype)
      throw new IoError(
        `${where}: ${className}'s ${name} must be a ${variable.dtype} of shape [${variable.shape}], got a ${saved.dtype} of shape [${saved.shape}]`,
      );
    variable.assign(saved);
  }
}

function privateScalar(optimizer: tf.Optimizer, name: string, where: string): tf.Variable {
  const value = (optimizer as unknown as Record<string, unknown>)[name];
  if (!(value instanceof tf.Variable))
    throw new IoError(
      `${where}: ${optimizer.getClassName()} has no ${name} variable (the optimizer is not tfjs-core 4.22's)`,
    );
  return value;
}

function adamaxWeights(optimizer: tf.Optimizer): NamedTensor[] {
  const o = optimizer as unknown as AdamaxInternals;
  const step = { name: 'iter', tensor: tf.scalar(o.iterations_ ?? 0, 'int32') };
  const slots = [...o.accumulatedFirstMoment, ...o.accumulatedWeightedInfNorm];
  return [step, ...slots.map((v) => ({ name: v.originalName, tensor: v.variable }))];
}

function setAdamaxWeights(
  optimizer: tf.Optimizer,
  weights: NamedTensor[],
  scalars: tf.NamedTensorMap,
  where: string,
): void {
  const o = optimizer as unknown as AdamaxInternals;
  const [step, ...slots] = weights;
  if (!step || slots.length % 2 !== 0 || !scalars.accBeta1 || !scalars.iteration)
    throw new IoError(
      `${where}: Adamax state must hold its step count, moments and infinity norms, accBeta1 and iteration`,
    );
  o.iterations_ = step.tensor.dataSync()[0]!;
  tf.dispose([...o.accumulatedFirstMoment, ...o.accumulatedWeightedInfNorm].map((v) => v.variable));
  const count = slots.length / 2;
  const toVariables = (list: NamedTensor[]) =>
    list.map((v) => ({ originalName: v.name, variable: v.tensor.variable(false) }));
  o.accumulatedFirstMoment = toVariables(slots.slice(0, count));
  o.accumulatedWeightedInfNorm = toVariables(slots.slice(count));
}
