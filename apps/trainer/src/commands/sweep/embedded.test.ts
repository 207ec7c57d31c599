import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandEnsemble } from '../train/ensemble-teacher.js';
import { hasCheckpoint } from '../train/run.js';
import { runSweep } from './embedded.js';
import { writeEnsemble } from './ensemble.js';
import { loadSweepPlan } from './sweep-plan.js';
import { readResults, writeResult } from './sweep-store.js';
import { DATA_DIR, hasData, writeTinySweep } from './testing.js';

if (!hasData) console.warn(`SKIPPED the embedded sweep test: no Fashion-MNIST in ${DATA_DIR}`);
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fmnist-sweep-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe.skipIf(!hasData)('fmnist-sweep run without a queue', () => {
  it('runs trials as fmnist-train processes, ranks them, records a failing one after its attempts, keeps results on a rerun', async () => {
    const file = await writeTinySweep(root, {
      name: 'embedded',
      // t001's network does not exist: fmnist-train refuses it, every attempt.
      parameters: {
        'model.architecture': { list: ['cnn-mlp', 'nope', 'cnn-mlp'] },
        seed: { list: [1, 1, 2] },
      },
      attempts: 2,
    });
    const out = join(root, 'out');
    const lines: string[] = [];
    const ranked = await runSweep(await loadSweepPlan(file), {
      out,
      parallel: 2,
      threads: 1,
      dataDir: DATA_DIR,
      log: (line) => lines.push(line),
    });
    expect(ranked.map((r) => r.status)).toEqual(['complete', 'complete', 'failed']);
    const [best, second, failed] = ranked;
    expect(best!.metric).toBeGreaterThanOrEqual(second!.metric);
    for (const r of [best!, second!]) {
      expect(r.curve).toHaveLength(1);
      expect(r.testAccuracy).toBeGreaterThan(0.1);
      // An fmnist-train run folder like any other, its history the result's curve.
      const report = JSON.parse(await readFile(join(out, r.runDir, 'report.json'), 'utf8'));
      expect(report.summary.testAccuracy).toBe(r.testAccuracy);
      expect(report.report.count).toBe(500);
    }
    expect(failed).toMatchObject({ id: 't001', attempts: 2 });
    expect(failed!.reason).toMatch(/fmnist-train exited with 2: .*nope/);
    expect(lines.filter((l) => l.startsWith('t001 attempt'))).toHaveLength(2);
    expect(await readlink(join(out, 'best'))).toBe(best!.runDir);
    const markdown = await readFile(join(out, 'results.md'), 'utf8');
    expect(markdown).toContain(`| 1 | ${best!.id} | complete |`);
    expect(markdown).toContain('| 3 | t001 | failed |');
    expect(await readFile(join(out, 'results.html'), 'utf8')).toContain(`<svg`);

    const teacher = await writeEnsemble(out, ranked, 2);
    expect(expandEnsemble(teacher)).toEqual([join(teacher, best!.id), join(teacher, second!.id)]);
    for (const member of expandEnsemble(teacher)) expect(existsSync(join(member, 'model.json'))).toBe(true);
    await expect(writeEnsemble(out, ranked, 3)).rejects.toThrow(
      '--ensemble 3: the sweep has 2 complete trial(s)',
    );

    // Run again: every trial is recorded, nothing trains.
    const again: string[] = [];
    const rerun = await runSweep(await loadSweepPlan(file), {
      out,
      dataDir: DATA_DIR,
      log: (l) => again.push(l),
    });
    expect(again).toEqual([`sweep embedded: 3 trial(s) already recorded in ${out}`]);
    expect(rerun).toEqual(ranked);
    expect((await readResults(out)).size).toBe(3);
    // Another sweep under the same name is refused, not mixed with these results.
    const changed = await writeTinySweep(root, { name: 'embedded', parameters: { seed: { list: [5] } } });
    await expect(runSweep(await loadSweepPlan(changed), { out })).rejects.toThrow(
      `--out: ${join(out, 'sweep.json')} holds another sweep named embedded`,
    );
  }, 120_000);

  it('stops a trial the pruning rule rejects, with a checkpoint, and records it as pruned', async () => {
    const file = await writeTinySweep(root, {
      name: 'pruned',
      parameters: { seed: { list: [1, 2] } },
      budget: { epochs: 2, limit: 600, testLimit: 500, validationSplit: 0.2 },
      pruning: { rule: 'asha', reductionFactor: 2, minEpochs: 1 },
    });
    const out = join(root, 'pruned');
    const plan = await loadSweepPlan(file);
    // t000 is on record as far better than any tiny trial after one epoch: t001 falls outside the top half.
    const [t000, t001] = plan.trials;
    await writeResult(out, {
      id: t000!.id,
      status: 'complete',
      values: {},
      seed: 1,
      curve: [0.99, 0.99],
      metric: 0.99,
      runDir: 'trials/t000',
      attempts: 1,
      seconds: 1,
    });
    const ranked = await runSweep(plan, { out, threads: 1, dataDir: DATA_DIR, log: () => {} });
    const pruned = ranked.find((r) => r.id === t001!.id)!;
    expect(pruned).toMatchObject({ status: 'pruned', curve: [expect.any(Number)] });
    expect(pruned.reason).toMatch(/^asha: val_acc .* at epoch 1 outside the top 1 of 2$/);
    const dir = join(out, pruned.runDir);
    expect(await readFile(join(dir, 'train.log'), 'utf8')).toContain('SIGTERM: finishing the current batch');
    expect(await hasCheckpoint(dir)).toBe(true);
    expect(existsSync(join(dir, 'report.json'))).toBe(false);
  }, 60_000);
});
