import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadCheckpoint, saveCheckpoint } from './checkpoint-files.js';
import { CallbackError } from './errors.js';

export interface BackupAndRestoreArgs {
  /** Where the backup lives; it must not be shared with another run. */
  backupDir: string;
  /** Remove the backup when training ends normally (Keras's `delete_checkpoint`). Default true. */
  deleteCheckpoint?: boolean;
}

interface BackupState {
  /** Epochs completed. */
  epoch: number;
}

/**
 * Keras's BackupAndRestore for tfjs: backs up the model, its optimizer state and the epoch count at
 * every epoch end (atomically, with checksums), so a run that crashed or was killed continues where
 * it was. tfjs's `fit` has no hook to change its first epoch, so restoring is one explicit call:
 *
 * ```ts
 * const backup = backupAndRestore({ backupDir: 'backup' });
 * const { initialEpoch } = await backup.restore(model);
 * await model.fit(xs, ys, { epochs: 10, initialEpoch, callbacks: [backup] });
 * ```
 */
export class BackupAndRestore extends tfl.Callback {
  private readonly dir: string;
  private readonly deleteCheckpoint: boolean;
  private completed = false;

  constructor(args: BackupAndRestoreArgs) {
    super();
    if (typeof args?.backupDir !== 'string' || args.backupDir === '')
      throw new CallbackError('backupAndRestore: backupDir must be a directory path');
    this.dir = join(args.backupDir, 'latest');
    this.deleteCheckpoint = args.deleteCheckpoint ?? true;
  }

  /**
   * Loads the backup into `model` (weights and optimizer state) if there is one, and returns the epoch
   * to pass to `fit` as `initialEpoch` (0 without a backup). A damaged backup is a CallbackError
   * naming the file; nothing is overwritten.
   */
  async restore(model: tfl.LayersModel): Promise<{ initialEpoch: number; restored: boolean }> {
    if (!existsSync(join(this.dir, 'state.json')) && !existsSync(join(`${this.dir}.old`, 'state.json')))
      return { initialEpoch: 0, restored: false };
    const state = await loadCheckpoint<BackupState>(this.dir, model);
    if (!state || !Number.isInteger(state.epoch) || state.epoch < 0)
      throw new CallbackError(`${join(this.dir, 'state.json')}: no epoch count in the backup`);
    return { initialEpoch: state.epoch, restored: true };
  }

  override async onTrainBegin() {
    this.completed = false;
  }

  override async onEpochEnd(epoch: number) {
    const model = this.model as tfl.LayersModel;
    await saveCheckpoint(this.dir, model, { state: { epoch: epoch + 1 } satisfies BackupState });
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
