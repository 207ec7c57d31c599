import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('SIMD conv kernels', () => {
  it('ship binaries that equal a fresh build of assembly/conv.ts', () => {
    const script = fileURLToPath(new URL('../../scripts/build-simd-kernels.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(run.stderr).toContain('up to date');
    expect(run.status).toBe(0);
  });
});
