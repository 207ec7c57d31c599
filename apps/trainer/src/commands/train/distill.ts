import { createHash, type Hash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageSet } from '@fmnist/dataset';
import { defaultCacheDir } from '@fmnist/dataset/node';
import { writeFileAtomic } from '@fmnist/io/node';
import {
  type Classifier,
  type Recipe,
  resolveShippedArchitecture,
  SHIPPED_ARCHITECTURES,
  type ShippedModel,
} from '@fmnist/model';
import { loadClassifier, shippedWeightsDir } from '@fmnist/model/node';
import { UsageError } from '../../cli/exit-codes.js';

type Distillation = NonNullable<Recipe['distill']>;

const DISTILL_TTA = ['none', 'flip', 'flip-shift'] as const;
const CHUNK = 512;
const CLASSES = 10;
const SHIPPED_TEACHER = /^shipped(?::(.*))?$/;

/**
 * The shipped weights a teacher names: `shipped` is @fmnist/model's default, `shipped:cnn-mlp` (or any
 * shipped architecture) a named one; a deprecated name (`shipped:seed`) gives the new one, with a warning.
 * Undefined for a model directory.
 */
export function shippedTeacher(teacher: string): ShippedModel | undefined {
  const match = SHIPPED_TEACHER.exec(teacher);
  if (!match) return undefined;
  if (match[1] === undefined) return {};
  try {
    return { architecture: resolveShippedArchitecture(match[1], '--teacher', (a) => `shipped:${a}`) };
  } catch (error) {
    throw new UsageError(
      `--teacher ${teacher}: @fmnist/model ships ${SHIPPED_ARCHITECTURES.map((a) => `shipped:${a}`).join(', ')}`,
      { cause: error },
    );
  }
}

/** Throws a UsageError naming the field if `distill` (from a config file or flags) is malformed. */
export function checkDistillation(distill: Distillation): void {
  const { teachers, tta, alpha, temperature } = distill;
  if (!Array.isArray(teachers) || teachers.length === 0 || teachers.some((t) => typeof t !== 'string' || !t))
    throw new UsageError(`distill.teachers must be a non-empty list of model directories or 'shipped'`);
  for (const teacher of teachers) {
    if (!shippedTeacher(teacher) && !existsSync(join(teacher, 'model.json')))
      throw new UsageError(`--teacher ${teacher}: no model.json there`);
  }
  if (!DISTILL_TTA.includes(tta))
    throw new UsageError(`distill.tta must be one of ${DISTILL_TTA.join(', ')}, got '${String(tta)}'`);
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1))
    throw new UsageError(`--distill-alpha must be in [0, 1], got '${String(alpha)}'`);
  if (typeof temperature !== 'number' || !(temperature > 0 && Number.isFinite(temperature)))
    throw new UsageError(`distill.temperature must be a positive number, got '${String(temperature)}'`);
}

/**
 * The teachers' probabilities for every image of `train` (`count * 10` values), averaged over teachers
 * and views, then tempered. Computed once and kept in `cacheDir` under a key of the teachers' weights,
 * the views and the images, so a resumed run does not pay for them again. Each teacher's own
 * probabilities are also kept in `teacherCacheDir` under a hash of its weights, views and images, so
 * another run with that teacher among its teachers reuses them (minutes per teacher on one thread).
 */
export async function teacherTargets(
  distill: Distillation,
  train: ImageSet,
  cacheDir: string,
  log: (line: string) => void = console.log,
  teacherCacheDir: string = join(defaultCacheDir(), 'teacher-targets'),
): Promise<Float32Array> {
  const key = await cacheKey(distill, train);
  const file = join(cacheDir, 'teacher-targets.bin');
  const keyFile = `${file}.key`;
  if (existsSync(file) && existsSync(keyFile) && (await readFile(keyFile, 'utf8')) === key) {
    const cached = await readTargets(file, train.count);
    if (cached) {
      log(`distillation: teacher targets from ${file}`);
      return temper(cached, distill);
    }
  }
  const started = performance.now();
  const sum = new Float32Array(train.count * CLASSES);
  for (const teacher of distill.teachers) {
    const probabilities = await oneTeacherTargets(teacher, distill.tta, train, teacherCacheDir, log);
    for (let i = 0; i < sum.length; i++) sum[i]! += probabilities[i]!;
  }
  for (let i = 0; i < sum.length; i++) sum[i]! /= distill.teachers.length;
  log(
    `distillation: ${train.count} targets from ${distill.teachers.length} teacher(s), views ${distill.tta}, ` +
      `in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  // Key written last: a kill leaves no key that matches a torn file.
  await writeFileAtomic(file, new Uint8Array(sum.buffer));
  await writeFileAtomic(keyFile, key);
  return temper(sum, distill);
}

/** One teacher's view-averaged probabilities, from `cacheDir` when it has them. */
async function oneTeacherTargets(
  teacher: string,
  views: Distillation['tta'],
  train: ImageSet,
  cacheDir: string,
  log: (line: string) => void,
): Promise<Float32Array> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ views, count: train.count }));
  await hashTeacher(hash, teacher);
  hash.update(train.images);
  hash.update(train.labels);
  // Named by its content's key: a file there is whole (written under a temporary name) and current.
  const file = join(cacheDir, `${hash.digest('hex')}.bin`);
  const cached = existsSync(file) ? await readTargets(file, train.count) : undefined;
  if (cached) {
    log(`distillation: teacher ${teacher}: targets from ${file}`);
    return cached;
  }
  const targets = new Float32Array(train.count * CLASSES);
  const size = train.height * train.width * train.channels;
  const tta = views === 'none' ? undefined : views;
  const classifier = await loadTeacher(teacher);
  try {
    let correct = 0;
    let reported = performance.now();
    for (let start = 0; start < train.count; start += CHUNK) {
      // It takes minutes on one thread: say how far it is, once a minute.
      if (performance.now() - reported > 60_000) {
        log(`distillation: teacher ${teacher}: ${start} of ${train.count} images`);
        reported = performance.now();
      }
      // Classifying blocks the event loop: between chunks, Ctrl-C and SIGTERM handlers get their turn.
      await new Promise((resolve) => setImmediate(resolve));
      const count = Math.min(CHUNK, train.count - start);
      const images = train.images.subarray(start * size, (start + count) * size);
      const { probabilities } = classifier.predict(images, { tta });
      targets.set(probabilities.subarray(0, count * CLASSES), start * CLASSES);
      for (let i = 0; i < count; i++)
        if (argmax(probabilities.subarray(i * CLASSES, (i + 1) * CLASSES)) === train.labels[start + i])
          correct++;
    }
    log(
      `distillation: teacher ${teacher} agrees with ${((100 * correct) / train.count).toFixed(2)}% of the training labels`,
    );
  } finally {
    classifier.dispose();
  }
  await writeFileAtomic(file, new Uint8Array(targets.buffer));
  return targets;
}

async function readTargets(file: string, count: number): Promise<Float32Array | undefined> {
  const bytes = await readFile(file);
  if (bytes.byteLength !== count * CLASSES * 4) return undefined;
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice();
}

/** Row-wise `p^(1/T)`, renormalized (T = 1 leaves the probabilities as they are). */
function temper(probabilities: Float32Array, { temperature }: Distillation): Float32Array {
  if (temperature === 1) return probabilities;
  for (let row = 0; row < probabilities.length; row += CLASSES) {
    let total = 0;
    for (let k = 0; k < CLASSES; k++) {
      const p = Math.max(probabilities[row + k]!, 1e-12) ** (1 / temperature);
      probabilities[row + k] = p;
      total += p;
    }
    for (let k = 0; k < CLASSES; k++) probabilities[row + k]! /= total;
  }
  return probabilities;
}

/** Which weights a teacher name stood for: recorded when a run starts, checked when it resumes. */
export interface TeacherIdentity {
  teacher: string;
  /** SHA-256 of the teacher's weight files, in its manifest's order (for one file, that file's hash). */
  weightsSha256: string;
}

export async function identifyTeachers(distill: Distillation): Promise<TeacherIdentity[]> {
  return Promise.all(
    distill.teachers.map(async (teacher) => {
      const hash = createHash('sha256');
      for (const bytes of await teacherWeightFiles(teacher)) hash.update(bytes);
      return { teacher, weightsSha256: hash.digest('hex') };
    }),
  );
}

/**
 * Throws a UsageError when a teacher's weights differ from those the run started with (say, the shipped
 * weights were replaced in between): the run's targets would change halfway.
 */
export async function checkSameTeachers(recorded: TeacherIdentity[], distill: Distillation): Promise<void> {
  const now = await identifyTeachers(distill);
  for (const [i, { teacher, weightsSha256 }] of recorded.entries()) {
    if (now[i]?.weightsSha256 !== weightsSha256)
      throw new UsageError(
        `teacher ${teacher}: its weights changed since the run started (SHA-256 ${weightsSha256} then, ${now[i]?.weightsSha256} now); ` +
          'restore them to resume, or start a new run',
      );
  }
}

function loadTeacher(teacher: string): Promise<Classifier> {
  return loadClassifier(shippedTeacher(teacher) ?? { model: teacher });
}

async function cacheKey(distill: Distillation, train: ImageSet): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ teachers: distill.teachers, tta: distill.tta, count: train.count }));
  for (const teacher of distill.teachers) await hashTeacher(hash, teacher);
  hash.update(train.images);
  hash.update(train.labels);
  return hash.digest('hex');
}

async function hashTeacher(hash: Hash, teacher: string): Promise<void> {
  hash.update(await readFile(join(teacherDir(teacher), 'model.json')));
  for (const bytes of await teacherWeightFiles(teacher)) hash.update(bytes);
}

function teacherDir(teacher: string): string {
  const shipped = shippedTeacher(teacher);
  return shipped ? shippedWeightsDir(shipped) : teacher;
}

async function teacherWeightFiles(teacher: string): Promise<Buffer[]> {
  const dir = teacherDir(teacher);
  const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  const manifest = (modelJson.weightsManifest ?? []) as { paths: string[] }[];
  return Promise.all(manifest.flatMap((group) => group.paths).map((path) => readFile(join(dir, path))));
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k]! > row[best]!) best = k;
  return best;
}
