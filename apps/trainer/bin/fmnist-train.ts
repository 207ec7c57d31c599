#!/usr/bin/env -S node --import tsx --conditions=fmnist-source
import { runCommand } from '../src/cli/exit-codes.js';
import { main } from '../src/commands/train/main.js';
import { StopRequest } from '../src/commands/train/stop-request.js';

// Listening before anything loads: a signal before training starts ends the process at once.
const stop = new StopRequest().listen();

runCommand('fmnist-train', (argv) => main(argv, stop));
