#!/usr/bin/env -S node --import tsx --conditions=fmnist-source
import { runCommand } from '../src/cli/exit-codes.js';
import { main } from '../src/commands/export/export.js';

runCommand('fmnist-export', main);
