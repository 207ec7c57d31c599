import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

// A fresh process: vitest's own handlers and earlier tests' backends must not hide what a user sees.
function uncaughtErrorOutput(selectBackend: boolean) {
  // Inside the package, so the script resolves its tfjs imports as the package does.
  const dir = mkdtempSync(join(packageDir, '.tmp-uncaught-'));
  const script = join(dir, 'main.ts');
  const selectModule = fileURLToPath(new URL('./select-backend.ts', import.meta.url));
  writeFileSync(
    script,
    [
      "import * as tf from '@tensorflow/tfjs-core';",
      "import '@tensorflow/tfjs-backend-wasm';",
      `import { useBestBackend } from ${JSON.stringify(selectModule)};`,
      selectBackend ? "await useBestBackend('wasm', { log: null });" : "await tf.setBackend('wasm');",
      "console.log('backend', tf.getBackend());",
      "setTimeout(() => { throw new Error('the user error'); }, 0);",
    ].join('\n'),
  );
  try {
    return spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      cwd: packageDir,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('useBestBackend on wasm in Node', () => {
  it("leaves an uncaught error's report to Node, without a frame of the Emscripten glue", () => {
    const plain = uncaughtErrorOutput(false);
    expect(plain.stdout).toContain('backend wasm');
    // What tfjs alone prints first: the glue's file and its whole (minified) line of source.
    expect(plain.stderr.includes('tfjs-backend-wasm')).toBe(true);
    expect(plain.stderr.length).toBeGreaterThan(10_000);
    const ours = uncaughtErrorOutput(true);
    expect(ours.stdout).toContain('backend wasm');
    expect(ours.status).toBe(1);
    expect(ours.stderr).toContain('Error: the user error');
    expect(ours.stderr.includes('tfjs-backend-wasm')).toBe(false);
    expect(ours.stderr.length).toBeLessThan(2_000);
  });
});
