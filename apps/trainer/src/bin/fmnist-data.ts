#!/usr/bin/env -S npx tsx
import { main } from '../commands/data.js';
import { runCommand } from '../exit-codes.js';

runCommand('fmnist-data', main);
