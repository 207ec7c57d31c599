import * as tfl from '@tensorflow/tfjs-layers';
import { logLine } from './console-line.js';
import type { Logs } from './logs.js';
import { resolveLogs } from './monitor.js';

/** Keras's TerminateOnNaN: stops training at the first batch whose loss is NaN or infinite. */
export class TerminateOnNaN extends tfl.Callback {
  override async onBatchEnd(batch: number, unresolved?: Logs) {
    const loss = (await resolveLogs(unresolved)).loss;
    if (typeof loss === 'number' && !Number.isFinite(loss)) {
      logLine(`Batch ${batch}: invalid loss ${loss}, terminating training`, 'warn');
      this.model.stopTraining = true;
    }
  }
}

export function terminateOnNaN(): TerminateOnNaN {
  return new TerminateOnNaN();
}
