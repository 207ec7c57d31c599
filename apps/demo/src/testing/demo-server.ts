import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ISOLATION_HEADERS } from '../../vite.config.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable)
  console.warn(
    `SKIPPED the demo browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium; CI installs it)`,
  );

/** Where scripts/prepare-assets.mjs finds the Fashion-MNIST `.gz` files the Train tab's tests need. */
export const trainingDataAvailable =
  Boolean(process.env.FASHION_MNIST_DIR) || existsSync('/usr/share/datasets/fashion-mnist');
if (chromiumAvailable && !trainingDataAvailable)
  console.warn(
    'SKIPPED the Train tab browser tests: Fashion-MNIST not in /usr/share/datasets/fashion-mnist and FASHION_MNIST_DIR unset (CI installs it)',
  );

/** The demo app's folder. */
export const app = new URL('../..', import.meta.url).pathname;

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.gz': 'application/gzip',
  '.mjs': 'text/javascript',
};

export interface DemoServer {
  origin: string;
  close(): Promise<void>;
}

const BUILD_PREFIX = 'fmnist-demo-dist-';

/** Whether process `pid` still runs. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The demo built once per test run: the first test file to ask builds it into a folder named after the
 * vitest process (every test file's parent), the others wait for it. Builds of finished runs are removed.
 */
async function sharedBuild(): Promise<string> {
  for (const name of await readdir(tmpdir()))
    if (name.startsWith(BUILD_PREFIX) && !running(Number(name.slice(BUILD_PREFIX.length))))
      await rm(join(tmpdir(), name), { recursive: true, force: true });
  const folder = join(tmpdir(), `${BUILD_PREFIX}${process.ppid}`);
  const dist = join(folder, 'dist');
  const built = join(folder, 'built');
  const failed = join(folder, 'failed');
  try {
    await mkdir(folder);
  } catch {
    // Another test file builds it.
    for (const started = Date.now(); !existsSync(built); await delay(500)) {
      if (existsSync(failed)) throw new Error(`the demo build failed: ${await readFile(failed, 'utf8')}`);
      if (Date.now() - started > 300_000) throw new Error(`no demo build in ${folder} after 5 minutes`);
    }
    return dist;
  }
  try {
    execFileSync('node', ['scripts/prepare-assets.mjs'], { cwd: app, stdio: 'pipe' });
    execFileSync('pnpm', ['exec', 'vite', 'build', '--outDir', dist, '--emptyOutDir'], {
      cwd: app,
      stdio: 'pipe',
    });
  } catch (error) {
    await writeFile(failed, String((error as { stderr?: unknown }).stderr ?? error));
    throw error;
  }
  await writeFile(built, '');
  return dist;
}

/**
 * Serves the demo (built once per test run) on a free port as a static host would, with the
 * cross-origin isolation headers the README asks for; `folders` (URL prefix such as `/extra/` → folder)
 * are served beside it, e.g. a test's own page.
 */
export async function serveDemo({
  folders = {},
}: {
  folders?: Record<string, string>;
} = {}): Promise<DemoServer> {
  const dist = await sharedBuild();
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    const [prefix, root] = Object.entries(folders).find(([prefix]) => path.startsWith(prefix)) ?? ['/', dist];
    const inRoot = path.slice(prefix.length - 1);
    const file = join(root, inRoot.endsWith('/') ? `${inRoot}index.html` : inRoot);
    try {
      const body = await readFile(file);
      res
        .writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          ...ISOLATION_HEADERS,
        })
        .end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Headless Chromium as CI has it (no sandbox in containers, no GPU), with `performance.memory` exact:
 * without `--enable-precise-memory-info` Chromium rounds it and refreshes it rarely.
 */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--enable-precise-memory-info',
    ],
  });
}
