/**
 * Messages of callbacks that print while a live progress bar holds a line without its newline: the bar
 * says when it leaves such a line, and a message first ends it, so each message starts on its own line.
 */
let openLine: { write(text: string): unknown } | undefined;

/** A progress display left `stream` in the middle of a line (or, with undefined, ended it). */
export function setOpenLine(stream: { write(text: string): unknown } | undefined): void {
  openLine = stream;
}

/** Prints a callback's message on a line of its own. */
export function logLine(message: string, level: 'log' | 'warn' = 'log'): void {
  if (openLine) {
    openLine.write('\n');
    openLine = undefined;
  }
  if (level === 'warn') console.warn(message);
  else console.log(message);
}

/** A monitored value as Keras prints it: five decimals, `inf` for an unset best. */
export function formatValue(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return value.toFixed(5);
}
