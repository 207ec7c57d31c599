/** One line per epoch; in a terminal, a live bar with ETA, images/s and metrics. */
export class Progress {
  private readonly started = performance.now();
  private lastDraw = 0;
  private readonly tty = Boolean(process.stdout.isTTY);

  constructor(
    private readonly epoch: number,
    private readonly epochs: number,
    private readonly steps: number,
  ) {}

  update(step: number, metrics: { loss: number; accuracy: number; lr: number }) {
    if (!this.tty) return;
    const now = performance.now();
    if (now - this.lastDraw < 200 && step < this.steps) return;
    this.lastDraw = now;
    const elapsed = (now - this.started) / 1000;
    const eta = (elapsed / step) * (this.steps - step);
    const width = 24;
    const filled = Math.round((width * step) / this.steps);
    process.stdout.write(
      `\repoch ${this.epoch + 1}/${this.epochs} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${step}/${this.steps} ` +
        `ETA ${eta.toFixed(0)}s loss ${metrics.loss.toFixed(4)} acc ${metrics.accuracy.toFixed(4)} lr ${metrics.lr.toExponential(2)}`,
    );
  }

  finish(metrics: { loss: number; accuracy: number; val?: { loss: number; accuracy: number } }) {
    const seconds = (performance.now() - this.started) / 1000;
    const val = metrics.val
      ? ` val_loss ${metrics.val.loss.toFixed(4)} val_acc ${metrics.val.accuracy.toFixed(4)}`
      : '';
    const line = `epoch ${this.epoch + 1}/${this.epochs} ${seconds.toFixed(0)}s loss ${metrics.loss.toFixed(4)} acc ${metrics.accuracy.toFixed(4)}${val}`;
    process.stdout.write(this.tty ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
}
