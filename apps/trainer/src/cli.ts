#!/usr/bin/env -S npx tsx
import { runCommand } from './exit-codes.js';
import { main } from './main.js';
import { StopRequest } from './stop-request.js';

const stop = new StopRequest().listen();

runCommand('fmnist-train', (argv) => main(argv, stop));
