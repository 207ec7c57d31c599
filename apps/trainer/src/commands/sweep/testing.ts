import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the tests find Fashion-MNIST (CI installs it there). */
export const DATA_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
export const hasData = existsSync(DATA_DIR);
export const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

const BIN = fileURLToPath(new URL('../../../bin/fmnist-sweep.ts', import.meta.url));

/** Tiny trials of the quick recipe: 600 training images (120 held out), 500 test images. */
export async function writeTinySweep(dir: string, fields: Record<string, unknown>): Promise<string> {
  const path = join(dir, `${String(fields.name)}.json`);
  const sweep = {
    base: { recipe: 'quick' },
    budget: { epochs: 1, limit: 600, testLimit: 500, validationSplit: 0.2 },
    ...fields,
  };
  await writeFile(path, JSON.stringify(sweep));
  return path;
}

/** fmnist-sweep as a process, its output collected in `output()`. */
export function startSweep(args: string[]): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=fmnist-source', BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk) => {
    text += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    text += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** A TCP port nothing listens on (just now). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A redis-server of the test's own on 127.0.0.1, append-only file in `dir` (so a restart keeps the queue). */
export async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--dir', dir, '--save', ''],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG')
      return server;
    await sleep(100);
  }
  server.kill();
  throw new Error(`redis-server on port ${port} did not start`);
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  ms = 90_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
