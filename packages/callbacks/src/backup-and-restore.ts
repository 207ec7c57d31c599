import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CarriedState } from './carried-state.js';
import { loadCheckpoint, loadCheckpointTensors, saveCheckpoint } from './checkpoint-files.js';
import { CallbackError } from './errors.js';
import type { CallbackState } from './resumable.js';

export interface BackupAndRestoreArgs {
  /** Where the backup lives; it must not be shared with another run. */
  backupDir: string;
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
  private readonly dir: string;
  private readonly deleteCheckpoint: boolean;
  private readonly carried: CarriedState;
  private completed = false;

  constructor(args: BackupAndRestoreArgs) {
    super();
    if (typeof args?.backupDir !== 'string' || args.backupDir === '')
      throw new CallbackError('backupAndRestore: backupDir must be a directory path');
    this.dir = join(args.backupDir, 'latest');
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
    if (!existsSync(join(this.dir, 'state.json')) && !existsSync(join(`${this.dir}.old`, 'state.json')))
      return { initialEpoch: 0, restored: false };
    const stateFile = join(this.dir, 'state.json');
    const state = await loadCheckpoint<BackupState>(this.dir, model);
    if (!state || !Number.isInteger(state.epoch) || state.epoch < 0)
      throw new CallbackError(`${stateFile}: no epoch count in the backup`);
    if (state.callbacks !== undefined) {
      if (!Array.isArray(state.callbacks))
        throw new CallbackError(`${stateFile}: callbacks must be a list of callback states`);
      await this.carried.restore(state.callbacks, (name) => loadCheckpointTensors(this.dir, name), stateFile);
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
      await saveCheckpoint(this.dir, model, { state, tensors });
    } finally {
      tf.dispose(Object.values(tensors).flatMap((list) => list ?? []));
    }
    const params = this.params as { epochs?: number };
    this.completed = params.epochs !== undefined && epoch + 1 >= params.epochs;
  }

  override async onTrainEnd() {
    // Only a run that reached its last epoch is done; an early stop or an error keeps the backup.
    if (this.deleteCheckpoint && this.completed) await rm(this.dir, { recursive: true, force: true });
  }
}

export function backupAndRestore(args: BackupAndRestoreArgs): BackupAndRestore {
  return new BackupAndRestore(args);
}
