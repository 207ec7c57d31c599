import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBestBackend } from '@fmnist/backend';
import type { ImageSet } from '@fmnist/dataset';
import { loadFashionMnist } from '@fmnist/dataset/node';
import { loadClassifier, shippedWeightsDir } from '@fmnist/model/node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../cli/exit-codes.js';
import { resolveConfig } from './config.js';
import { checkSameTeachers, identifyTeachers, shippedTeacher, teacherTargets } from './distill.js';
import { main } from './main.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fmnist-distill-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('distillation targets', () => {
  it.each([
    [{ teacher: [join('/nonexistent', 'teacher')] }, /--teacher \/nonexistent\/teacher: no model.json there/],
    [{ teacher: ['shipped'], 'distill-alpha': '1.5' }, /--distill-alpha must be in \[0, 1\], got '1.5'/],
    [{ 'distill-alpha': '0.3' }, /--distill-alpha needs a --teacher/],
    [
      { teacher: ['shipped:resnet'] },
      /--teacher shipped:resnet: @fmnist\/model ships shipped:vgg, shipped:cnn-mlp/,
    ],
  ])('reject bad flags %j before any work', (flags, message) => {
    expect(() => resolveConfig(flags)).toThrow(UsageError);
    expect(() => resolveConfig(flags)).toThrow(message);
  });

  it("name @fmnist/model's default weights as 'shipped' and one architecture's as 'shipped:ARCH'", () => {
    expect(shippedTeacher('shipped')).toEqual({});
    expect(shippedTeacher('shipped:cnn-mlp')).toEqual({ architecture: 'cnn-mlp' });
    expect(shippedTeacher('training/shipped')).toBeUndefined();
    expect(shippedTeacher('shipped-run')).toBeUndefined();
  });

  it('take shipped:seed, deprecated, as shipped:cnn-mlp, saying so once', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(shippedTeacher('shipped:seed')).toEqual({ architecture: 'cnn-mlp' });
      expect(shippedTeacher('shipped:seed')).toEqual({ architecture: 'cnn-mlp' });
      expect(shippedWeightsDir(shippedTeacher('shipped:seed'))).toBe(
        shippedWeightsDir({ architecture: 'cnn-mlp' }),
      );
      const ours = warn.mock.calls.map(([m]) => String(m)).filter((m) => m.startsWith('@fmnist/model: '));
      expect(ours).toHaveLength(1);
      expect(ours[0]).toContain('shipped:seed is deprecated; use shipped:cnn-mlp');
    } finally {
      warn.mockRestore();
    }
  });

  it('take the teacher from the flags, with flip-and-shift views and alpha 0.5 unless told', () => {
    const { recipe } = resolveConfig({ recipe: 'cnn-mlp-bn', teacher: ['shipped'], 'distill-alpha': '0.7' });
    expect(recipe.distill).toEqual({ teachers: ['shipped'], tta: 'flip-shift', alpha: 0.7, temperature: 1 });
  });
});

describe('teacher identity', () => {
  const shippedSha = async () =>
    JSON.parse(await readFile(join(shippedWeightsDir(), 'provenance.json'), 'utf8')).weightsSha256 as string;

  it("is the SHA-256 of the teacher's weights; a resume refuses a teacher whose weights changed", async () => {
    const copy = join(root, 'teacher-copy');
    await cp(shippedWeightsDir(), copy, { recursive: true });
    const distill = { teachers: ['shipped', copy], tta: 'none' as const, alpha: 0.5, temperature: 1 };
    const recorded = await identifyTeachers(distill);
    expect(recorded).toEqual([
      { teacher: 'shipped', weightsSha256: await shippedSha() },
      { teacher: copy, weightsSha256: await shippedSha() },
    ]);
    await expect(checkSameTeachers(recorded, distill)).resolves.toBeUndefined();
    const weights = await readFile(join(copy, 'weights.bin'));
    weights[100] = (weights[100]! + 1) % 256;
    await writeFile(join(copy, 'weights.bin'), weights);
    const changed = checkSameTeachers(recorded, distill);
    await expect(changed).rejects.toThrow(UsageError);
    await expect(checkSameTeachers(recorded, distill)).rejects.toThrow(
      new RegExp(`teacher ${copy}: its weights changed since the run started`),
    );
  });
});

const hasData = await loadFashionMnist({ download: false }).then(
  () => true,
  () => false,
);

describe.skipIf(!hasData)('teacher targets on real images', () => {
  let train: ImageSet;
  beforeAll(async () => {
    await useBestBackend('wasm', { log: null });
    const data = await loadFashionMnist({ download: false });
    const count = 300;
    train = {
      ...data.train,
      count,
      images: data.train.images.slice(0, count * 784),
      labels: data.train.labels.slice(0, count),
    };
  });

  it("are the shipped model's view-averaged probabilities, kept for the next run and tempered on reading", async () => {
    const dir = join(root, 'shipped');
    const distill = { teachers: ['shipped'], tta: 'flip' as const, alpha: 0.5, temperature: 1 };
    const lines: string[] = [];
    const teacherCache = join(root, 'teacher-cache');
    const targets = await teacherTargets(distill, train, dir, (line) => lines.push(line), teacherCache);
    const classifier = await loadClassifier();
    const expected = classifier.predict(train.images, { tta: 'flip' }).probabilities;
    classifier.dispose();
    expect(targets.length).toBe(train.count * 10);
    for (let i = 0; i < targets.length; i++) expect(targets[i]).toBeCloseTo(expected[i]!, 5);
    const agreement = Number(/agrees with ([\d.]+)%/.exec(lines.join('\n'))?.[1]);
    expect(agreement).toBeGreaterThan(90);
    expect(existsSync(join(dir, 'teacher-targets.bin'))).toBe(true);

    const again: string[] = [];
    const softer = await teacherTargets(
      { ...distill, temperature: 2 },
      train,
      dir,
      (line) => again.push(line),
      teacherCache,
    );
    expect(again.join('\n')).toMatch(/teacher targets from .*teacher-targets.bin/);
    const max = (values: Float32Array) => Math.max(...values.subarray(0, 10));
    expect(max(softer)).toBeLessThan(max(targets));
    expect(softer.subarray(0, 10).reduce((a, b) => a + b)).toBeCloseTo(1, 5);

    const other: string[] = [];
    await teacherTargets({ ...distill, tta: 'none' }, train, dir, (line) => other.push(line), teacherCache);
    // Other views: computed again, not read from either cache.
    expect(other.join('\n')).toMatch(/teacher shipped agrees with/);
  }, 120_000);

  it("keep each teacher's own targets for other runs, found by its weights, not its name", async () => {
    const teacherCache = join(root, 'shared-teacher-cache');
    const distill = { teachers: ['shipped'], tta: 'none' as const, alpha: 0.5, temperature: 1 };
    const targetsIn = async (run: string, teachers: string[]) => {
      const lines: string[] = [];
      const log = (line: string) => lines.push(line);
      const targets = await teacherTargets(
        { ...distill, teachers },
        train,
        join(root, run),
        log,
        teacherCache,
      );
      return { targets, log: lines.join('\n') };
    };
    const first = await targetsIn('first', ['shipped']);
    expect(first.log).toMatch(/teacher shipped agrees with/);

    const copy = join(root, 'same-weights');
    await cp(shippedWeightsDir(), copy, { recursive: true });
    const second = await targetsIn('second', ['shipped', copy]);
    expect(second.log).toMatch(/teacher shipped: targets from /);
    expect(second.log).toContain(`teacher ${copy}: targets from `);
    expect(second.log).not.toMatch(/agrees with/);
    expect(second.targets).toEqual(first.targets);

    const weights = await readFile(join(copy, 'weights.bin'));
    weights[100] = (weights[100]! + 1) % 256;
    await writeFile(join(copy, 'weights.bin'), weights);
    const third = await targetsIn('third', ['shipped', copy]);
    expect(third.log).toMatch(/teacher shipped: targets from /);
    expect(third.log).toContain(`teacher ${copy} agrees with`);
  }, 120_000);

  it('drive a short run of the trainer (--teacher shipped), whose config and provenance record them', async () => {
    const out = join(root, 'run');
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
    const code = await main([
      '--limit',
      '300',
      '--epochs',
      '1',
      '--batch-size',
      '100',
      '--workers',
      '1',
      '--teacher',
      'shipped',
      '--out',
      out,
    ]).finally(() => quiet.mockRestore());
    expect(code).toBe(0);
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.recipe.distill).toEqual({
      teachers: ['shipped'],
      tta: 'flip-shift',
      alpha: 0.5,
      temperature: 1,
    });
    expect(existsSync(join(out, 'teacher-targets.bin'))).toBe(true);
    const shipped = JSON.parse(await readFile(join(shippedWeightsDir(), 'provenance.json'), 'utf8'));
    const teachers = [{ teacher: 'shipped', weightsSha256: shipped.weightsSha256 }];
    expect(config.teachers).toEqual(teachers);
    const provenance = JSON.parse(await readFile(join(out, 'model', 'provenance.json'), 'utf8'));
    expect(provenance.teachers).toEqual(teachers);
  }, 300_000);
});
