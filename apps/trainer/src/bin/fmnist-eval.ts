#!/usr/bin/env -S npx tsx
import { main } from '../commands/eval.js';
import { runCommand } from '../exit-codes.js';

runCommand('fmnist-eval', main);
