import { drawChart, type Series } from '../ui/line-chart.js';
import type { BatchProgress } from './protocol.js';

/** The run's curves: loss and accuracy per batch, and per epoch for training and validation. */
export class Curves {
  private readonly batchLoss: [number, number][] = [];
  private readonly batchAcc: [number, number][] = [];
  private readonly epochs: Record<string, [number, number][]> = {};
  private epochCount = 1;

  constructor(
    private readonly batchCanvas: HTMLCanvasElement,
    private readonly epochCanvas: HTMLCanvasElement,
  ) {}

  /** Empties the curves for a run of `epochs` epochs. */
  clear(epochs: number): void {
    this.epochCount = epochs;
    this.batchLoss.length = 0;
    this.batchAcc.length = 0;
    for (const key of Object.keys(this.epochs)) delete this.epochs[key];
    this.draw();
  }

  addBatch({ epoch, batch, steps, loss, acc }: BatchProgress): void {
    const step = epoch * steps + batch + 1;
    this.batchLoss.push([step, loss]);
    this.batchAcc.push([step, acc]);
    this.draw();
  }

  addEpoch(epoch: number, logs: Record<string, number>): void {
    for (const [key, value] of Object.entries(logs)) {
      this.epochs[key] ??= [];
      this.epochs[key].push([epoch + 1, value]);
    }
    this.draw();
  }

  private draw(): void {
    drawChart(
      this.batchCanvas,
      [
        { name: 'loss', color: '#c0392b', points: this.batchLoss, axis: 'left' },
        { name: 'accuracy', color: '#2471a3', points: this.batchAcc, axis: 'right' },
      ],
      'batch',
    );
    const line = (
      key: string,
      name: string,
      color: string,
      axis: Series['axis'],
      dashed = false,
    ): Series => ({
      name,
      color,
      points: this.epochs[key] ?? [],
      axis,
      dashed,
    });
    drawChart(
      this.epochCanvas,
      [
        line('loss', 'loss', '#c0392b', 'left'),
        line('val_loss', 'val loss', '#c0392b', 'left', true),
        line('acc', 'accuracy', '#2471a3', 'right'),
        line('val_acc', 'val accuracy', '#2471a3', 'right', true),
      ],
      'epoch',
      // Epochs count from 1: an axis to one past the last keeps the last epoch's points off the edge.
      this.epochCount + 1,
    );
  }
}
