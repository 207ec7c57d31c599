import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { ISOLATION_HEADERS } from '../../vite.config.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable)
  console.warn(
    `SKIPPED the demo browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium; CI installs it)`,
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
};

export interface DemoServer {
  origin: string;
  close(): Promise<void>;
}

/**
 * Builds the demo into a folder of its own (test files build side by side) and serves it on a free port
 * as a static host would, with the cross-origin isolation headers the README asks for.
 */
export async function serveDemo(): Promise<DemoServer> {
  const dist = await mkdtemp(join(tmpdir(), 'fmnist-demo-'));
  execFileSync('node', ['scripts/prepare-assets.mjs'], { cwd: app, stdio: 'pipe' });
  execFileSync('pnpm', ['exec', 'vite', 'build', '--outDir', dist, '--emptyOutDir'], {
    cwd: app,
    stdio: 'pipe',
  });
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    const file = join(dist, path.endsWith('/') ? `${path}index.html` : path);
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
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dist, { recursive: true, force: true });
    },
  };
}

/** Headless Chromium as CI has it (no sandbox in containers, no GPU). */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
