import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGES } from './packages.js';
import { packTarballs, root, run, TOOLS } from './tarballs.js';

// The packages a user's own image classifier project installs (and what they bring).
const USED = [
  '@fmnist/training',
  '@fmnist/backend',
  '@fmnist/random',
  '@fmnist/callbacks',
  '@fmnist/io',
  '@fmnist/eval',
  '@fmnist/model',
];
const PEERS = ['core', 'layers', 'backend-cpu', 'backend-wasm'].map((p) => `@tensorflow/tfjs-${p}@4.22.0`);

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fmnist-user-project-'));
  const tarballs = await packTarballs(
    PACKAGES.filter((p) => USED.includes(p.name)),
    join(dir, 'tarballs'),
  );
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'my-rgb-classifier', version: '1.0.0', private: true, type: 'module' }),
  );
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.values(), ...PEERS, ...TOOLS],
    { cwd: dir },
  );
  await copyFile(join(root, 'e2e', 'user-project', 'main.mts'), join(dir, 'main.mts'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a user's own RGB classifier project, from the tarballs", () => {
  it('typechecks under the strictest settings a user may have', async () => {
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          noEmit: true,
          module: 'node16',
          moduleResolution: 'node16',
          target: 'es2022',
          lib: ['es2022', 'dom'],
          types: ['node'],
          skipLibCheck: true,
        },
        files: ['main.mts'],
      }),
    );
    run(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: dir });
  });

  it('trains, resumes, refuses NaN and empty epochs, evaluates, saves and classifies with its own names', () => {
    const output = run(join(dir, 'node_modules', '.bin', 'tsx'), ['main.mts', join(dir, 'run')], {
      cwd: dir,
      timeout: 600_000,
    });
    const summary = JSON.parse(output.trim().split('\n').at(-1)!) as { accuracy: number; epochs: number[] };
    expect(summary.epochs).toEqual([0, 1, 2, 3]);
    expect(summary.accuracy).toBeGreaterThanOrEqual(0.9);
  });
});
