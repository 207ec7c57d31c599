#!/usr/bin/env -S npx tsx
// Copies a finished run's model (with its provenance) into @fmnist/model as the shipped weights.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const run = process.argv[2];
if (!run) {
  console.error('usage: ship-weights <run-dir>');
  process.exit(2);
}
const from = join(resolve(run), 'model');
const to = resolve(new URL('../../../packages/model/weights/fmnist', import.meta.url).pathname);
const provenance = JSON.parse(await readFile(join(from, 'provenance.json'), 'utf8'));
const sha = createHash('sha256')
  .update(await readFile(join(from, 'weights.bin')))
  .digest('hex');
if (sha !== provenance.weightsSha256) {
  console.error(`${from}/weights.bin does not match its provenance (${sha} ≠ ${provenance.weightsSha256})`);
  process.exit(1);
}
await mkdir(to, { recursive: true });
for (const file of ['model.json', 'weights.bin', 'provenance.json'])
  await copyFile(join(from, file), join(to, file));
console.log(
  `shipped ${from} → ${to}: test accuracy ${(100 * provenance.testAccuracy).toFixed(2)}%, ${provenance.parameters} parameters`,
);
