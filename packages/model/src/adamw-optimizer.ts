import * as tf from '@tensorflow/tfjs-core';
import { ClassifierError } from './errors.js';

export interface AdamWConfig {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay (Loshchilov & Hutter): `p -= lr * weightDecay * p` each step. Default 0. */
  weightDecay?: number;
  /** Keep the running maximum of the second moment (Reddi et al., "On the Convergence of Adam and Beyond"). */
  amsgrad?: boolean;
}

// Keras's Adam defaults (keras/optimizers/adam.py): lr 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-7.
export const ADAM_DEFAULTS = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

/**
 * A kernel of one AdamW step for one variable, which @fmnist/backend registers for wasm (as its
 * `ADAMW_KERNEL`): inputs value, gradient, m, v (and vMax), attrs beta1, beta2, epsilon, stepSize, decay;
 * outputs value, m, v (and vMax), the values of the tfjs ops below. Used where registered.
 */
const ADAMW_KERNEL = 'FmnistAdamW';

/**
 * Whether the kernel can take this variable: float32 throughout and slots of the variable's shape. A
 * state loaded for another model can have other shapes; the ops then throw at `assign`, naming them.
 */
function fitsFusedStep(value: tf.Variable, gradient: tf.Tensor, slots: Slots): boolean {
  return (
    [gradient, slots.m, slots.v, ...(slots.vMax ? [slots.vMax] : [])].every(
      (t) => t.dtype === 'float32' && tf.util.arraysEqual(t.shape, value.shape),
    ) && value.dtype === 'float32'
  );
}

/** What tfjs optimizers exchange in getWeights/setWeights (not exported by tfjs-core). */
type NamedTensor = { name: string; tensor: tf.Tensor };

interface Slots {
  m: tf.Variable;
  v: tf.Variable;
  vMax?: tf.Variable;
}

/**
 * Adam with the AMSGrad variant and decoupled weight decay, as Keras and PyTorch define them:
 * `lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)`, `p -= lr_t * m / (sqrt(vMax) + epsilon)`, with
 * `vMax = max(vMax, v)` under AMSGrad. `learningRate` is public so callbacks can change it.
 * Registered for serialization: a model saved with `includeOptimizer` reloads it with its state.
 */
export class AdamWOptimizer extends tf.Optimizer {
  static get className() {
    return 'AdamW';
  }

  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  /**
   * Per variable, by position in the gradient list (as tfjs's and Keras's optimizers do), so a state
   * saved from one model instance loads into another whose variables got other unique names.
   */
  private slots: Slots[] = [];
  private slotNames: string[] = [];

  constructor(config: AdamWConfig = {}) {
    super();
    this.learningRate = config.learningRate ?? ADAM_DEFAULTS.learningRate;
    this.beta1 = config.beta1 ?? ADAM_DEFAULTS.beta1;
    this.beta2 = config.beta2 ?? ADAM_DEFAULTS.beta2;
    this.epsilon = config.epsilon ?? ADAM_DEFAULTS.epsilon;
    this.weightDecay = config.weightDecay ?? 0;
    this.amsgrad = config.amsgrad ?? false;
    const checks: [string, number, boolean][] = [
      ['learningRate', this.learningRate, this.learningRate >= 0],
      ['beta1', this.beta1, this.beta1 >= 0 && this.beta1 < 1],
      ['beta2', this.beta2, this.beta2 >= 0 && this.beta2 < 1],
      ['epsilon', this.epsilon, this.epsilon > 0],
      ['weightDecay', this.weightDecay, this.weightDecay >= 0],
    ];
    for (const [name, value, ok] of checks) {
      if (!ok || !Number.isFinite(value))
        throw new ClassifierError(`${AdamWOptimizer.className}: invalid ${name} ${value}`);
    }
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const gradients: [string, tf.Tensor][] = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor])
      : Object.entries(variableGradients);
    const t = this.iterations + 1;
    const stepSize = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    const decay = 1 - this.learningRate * this.weightDecay;
    const fused = tf.getKernel(ADAMW_KERNEL, tf.getBackend()) !== undefined;
    tf.tidy(() => {
      gradients.forEach(([name, gradient], index) => {
        if (gradient == null) return;
        const value = tf.engine().registeredVariables[name];
        if (!value) throw new ClassifierError(`${AdamWOptimizer.className}: no variable named ${name}`);
        const slots = this.slotsFor(index, name, value);
        if (fused && fitsFusedStep(value, gradient, slots)) {
          this.fusedStep(value, gradient, slots, stepSize, decay);
          return;
        }
        const m = tf.add(tf.mul(slots.m, this.beta1), tf.mul(gradient, 1 - this.beta1));
        const v = tf.add(tf.mul(slots.v, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2));
        slots.m.assign(m);
        slots.v.assign(v);
        let second = v;
        if (slots.vMax) {
          second = tf.maximum(slots.vMax, v);
          slots.vMax.assign(second);
        }
        const decayed = this.weightDecay > 0 ? tf.mul(value, decay) : value;
        value.assign(tf.sub(decayed, tf.mul(tf.div(m, tf.add(tf.sqrt(second), this.epsilon)), stepSize)));
      });
    });
    this.incrementIterations();
  }

  /** The same step as applyGradients' ops, in one kernel (see ADAMW_KERNEL). */
  private fusedStep(value: tf.Variable, gradient: tf.Tensor, slots: Slots, stepSize: number, decay: number) {
    const { m, v, vMax } = slots;
    const [newValue, newM, newV, newVMax] = tf.engine().runKernel(
      ADAMW_KERNEL,
      { value, gradient, m, v, ...(vMax ? { vMax } : {}) },
      {
        beta1: this.beta1,
        beta2: this.beta2,
        epsilon: this.epsilon,
        stepSize,
        decay,
      },
    ) as tf.Tensor[];
    m.assign(newM!);
    v.assign(newV!);
    if (vMax) vMax.assign(newVMax!);
    value.assign(newValue!);
  }

  private slotsFor(index: number, name: string, value: tf.Variable): Slots {
    let slots = this.slots[index];
    if (!slots) {
      slots = tf.tidy(() => ({
        m: tf.variable(tf.zerosLike(value), false, `${name}/m`),
        v: tf.variable(tf.zerosLike(value), false, `${name}/v`),
        vMax: this.amsgrad ? tf.variable(tf.zerosLike(value), false, `${name}/vhat`) : undefined,
      }));
      this.slots[index] = slots;
      this.slotNames[index] = name;
    }
    return slots;
  }

  override dispose(): void {
    for (const slots of this.slots) tf.dispose([slots.m, slots.v, ...(slots.vMax ? [slots.vMax] : [])]);
    this.slots = [];
    this.slotNames = [];
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const list = (key: keyof Slots, suffix: string) =>
      this.slots.map((slots, i) => ({
        name: `${this.slotNames[i]}/${suffix}`,
        tensor: slots[key] as tf.Tensor,
      }));
    return [
      await this.saveIterations(),
      ...list('m', 'm'),
      ...list('v', 'v'),
      ...(this.amsgrad ? list('vMax', 'vhat') : []),
    ];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const values = await this.extractIterations(weightValues);
    const parts = this.amsgrad ? 3 : 2;
    if (values.length % parts !== 0) {
      throw new ClassifierError(
        `${AdamWOptimizer.className}.setWeights: ${values.length} tensors do not split into ${parts} slot lists`,
      );
    }
    this.dispose();
    const count = values.length / parts;
    for (let i = 0; i < count; i++) {
      const slot = (k: number) => tf.variable(values[i + k * count]!.tensor, false);
      this.slots.push({ m: slot(0), v: slot(1), vMax: this.amsgrad ? slot(2) : undefined });
      this.slotNames.push(values[i]!.name.replace(/\/m$/, ''));
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      weightDecay: this.weightDecay,
      amsgrad: this.amsgrad,
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config as AdamWConfig);
  }
}

tf.serialization.registerClass(AdamWOptimizer);

/** AMSGrad (Adam keeping the maximum second moment), the report's optimizer. */
export function amsgrad(config: Omit<AdamWConfig, 'amsgrad'> = {}): AdamWOptimizer {
  return new AdamWOptimizer({ ...config, amsgrad: true });
}

/** AdamW: Adam with decoupled weight decay (default 0.01, PyTorch's default). */
export function adamw(config: AdamWConfig = {}): AdamWOptimizer {
  return new AdamWOptimizer({ weightDecay: 0.01, ...config });
}
