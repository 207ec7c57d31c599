#!/usr/bin/env -S npx tsx
import { main } from '../commands/augment.js';
import { runCommand } from '../exit-codes.js';

runCommand('fmnist-augment', main);
