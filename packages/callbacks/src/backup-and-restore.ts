import {
  type CheckpointStore,
  loadCheckpoint,
  loadCheckpointTensors,
  STATE_FILE,
  saveCheckpoint,
} from '@fmnist/io';
import { fileSystemCheckpointStore } from '@fmnist/io/node';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CarriedState } from './carried-state.js';
import { checkpointStep } from './checkpoint-step.js';
import { CallbackError } from './errors.js';
import { fileStep } from './file-step.js';
import type { CallbackState } from './resumable.js';

/** The backup's checkpoint name: `backupDir/latest` on disk, as Keras's `latest` checkpoint. */
const LATEST = 'latest';

export interface BackupAndRestoreArgs {
  /** Where the backup lives (as `backupDir/latest`); it must not be shared with another run. */
  backupDir?: string;
  /** Or any `@fmnist/io` `CheckpointStore` to keep it in, as its checkpoint `latest`. */
  store?: CheckpointStore;
  /** Remove the backup when training ends normally (Keras's `delete_checkpoint`). Default true. */
  deleteCheckpoint?: boolean;
  /**
   * Callbacks whose state the backup carries: the resumable ones (ReduceLROnPlateau, EarlyStopping with
   * its best weights, ModelCheckpoint, TensorBoard, WeightsEMA with its average) in this list's order;
   * others are skipped, so `fit`'s whole list may be given. Give the same list, in the same order, when
   * restoring, and put the backup after them in `fit`'s list so it saves what they hold after each epoch.
   */
  callbacks?: readonly tfl.Callback[];
}

interface BackupState {
  /** Epochs completed. */
  epoch: number;
  /** `getState()` of each resumable callback of the `callbacks` option, in order (absent in older backups). */
  callbacks?: CallbackState[];
}

/**
 * Keras's BackupAndRestore for tfjs: backs up the model, its optimizer state, the epoch count and the
 * state of the callbacks it is given at every epoch end (atomically, with checksums), so a run that
 * crashed or was killed continues where it was, as the unbroken run would. tfjs's `fit` has no hook to
 * change its first epoch, and a callback does not see the others, so restoring is one explicit call:
 *
 * ```ts
 * const callbacks = [reduceLROnPlateau(), earlyStopping({ restoreBestWeights: true })];
 * const backup = backupAndRestore({ backupDir: 'backup', callbacks });
 * const { initialEpoch } = await backup.restore(model);
 * await model.fit(xs, ys, { epochs: 10, initialEpoch, callbacks: [...callbacks, backup] });
 * ```
 */
export class BackupAndRestore extends tfl.Callback {
  private readonly store: CheckpointStore;
  private readonly deleteCheckpoint: boolean;
  private readonly carried: CarriedState;
  private completed = false;

  constructor(args: BackupAndRestoreArgs) {
    super();
    if (args?.store) this.store = args.store;
    else if (typeof args?.backupDir !== 'string' || args.backupDir === '')
      throw new CallbackError('backupAndRestore: backupDir must be a directory path');
    else this.store = fileSystemCheckpointStore(args.backupDir);
    this.deleteCheckpoint = args.deleteCheckpoint ?? true;
    this.carried = new CarriedState((args.callbacks ?? []).filter((c) => c !== this));
  }

  /**
   * Loads the backup into `model` (weights and optimizer state) and into the `callbacks` given to the
   * constructor if there is one, and returns the epoch to pass to `fit` as `initialEpoch` (0 without a
   * backup). A damaged backup, or one whose callback states do not fit those callbacks, is a
   * CallbackError naming the file. A backup made before callback states were saved restores none.
   */
  async restore(model: tfl.LayersModel): Promise<{ initialEpoch: number; restored: boolean }> {
    if (!(await checkpointStep(() => this.store.has(LATEST)))) return { initialEpoch: 0, restored: false };
    const stateFile = this.store.describe(LATEST, STATE_FILE);
    const state = await checkpointStep(() => loadCheckpoint<BackupState>(this.store, LATEST, model));
    if (!state || !Number.isInteger(state.epoch) || state.epoch < 0)
      throw new CallbackError(`${stateFile}: no epoch count in the backup`);
    if (state.callbacks !== undefined) {
      if (!Array.isArray(state.callbacks))
        throw new CallbackError(`${stateFile}: callbacks must be a list of callback states`);
      const load = (list: string) => checkpointStep(() => loadCheckpointTensors(this.store, LATEST, list));
      await this.carried.restore(state.callbacks, load, stateFile);
    }
    return { initialEpoch: state.epoch, restored: true };
  }

  override async onTrainBegin() {
    this.completed = false;
  }

  override async onEpochEnd(epoch: number) {
    const model = this.model as tfl.LayersModel;
    const { states, tensors } = this.carried.save();
    try {
      const state: BackupState = { epoch: epoch + 1, callbacks: states };
      await checkpointStep(() => saveCheckpoint(this.store, LATEST, model, { state, tensors }));
    } finally {
      tf.dispose(Object.values(tensors).flatMap((list) => list ?? []));
    }
    const params = this.params as { epochs?: number };
    this.completed = params.epochs !== undefined && epoch + 1 >= params.epochs;
  }

  override async onTrainEnd() {
    // Only a run that reached its last epoch is done; an early stop or an error keeps the backup.
    if (this.deleteCheckpoint && this.completed)
      await fileStep(`backupAndRestore: cannot remove the backup ${this.store.describe(LATEST)}`, () =>
        this.store.remove(LATEST),
      );
  }
}

export function backupAndRestore(args: BackupAndRestoreArgs): BackupAndRestore {
  return new BackupAndRestore(args);
}
