#!/usr/bin/env -S npx tsx
import { runCommand } from './exit-codes.js';
import { main } from './main.js';

let stopRequested = false;
let firstSignalAt = 0;
const onSignal = (signal: string) => {
  // Ctrl-C reaches every process of the group, and launchers (pnpm, tsx) relay it again: copies within
  // a second are the same request. A later one means "quit now".
  if (stopRequested) {
    if (Date.now() - firstSignalAt > 1000) process.exit(130);
    return;
  }
  stopRequested = true;
  firstSignalAt = Date.now();
  console.error(`\n${signal}: finishing the current batch, then saving a checkpoint (again to quit at once)`);
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

runCommand('fmnist-train', (argv) => main(argv, () => stopRequested));
