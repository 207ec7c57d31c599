// Test support, not a package: bundles a page with esbuild (workspace packages from their sources),
// serves it from a local static server, optionally cross-origin isolated, and launches the system's
// headless Chromium with playwright-core. Never downloads a browser.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);

/** Says, once per file, why its Chromium tests are skipped. */
export function warnIfNoChromium(what: string): void {
  if (!chromiumAvailable)
    console.warn(`SKIPPED ${what}: no Chromium at ${CHROMIUM} (apt-get install chromium; CI installs it)`);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** The headers that make a page cross-origin isolated (`SharedArrayBuffer`, high-resolution timers). */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

export interface ServedPage {
  /**
   * `http://127.0.0.1:port`; the page is `${origin}/`, tfjs-wasm's binaries under `${origin}/wasm/`.
   * The same files under `${origin}/isolated/` come with the COOP/COEP headers.
   */
  origin: string;
  close(): Promise<void>;
}

export interface ServePageOptions {
  /** Output name → source file; `page` is the page's script. Others (workers) sit beside it. */
  entries: Record<string, string>;
  /** `import.meta.url` of a test whose page runs tfjs-backend-wasm: its binaries go to `/wasm/`. */
  wasmFrom?: string;
  /** Extra files to serve (name → content). */
  files?: Record<string, string | Uint8Array>;
  /** Folders served as they are (URL prefix such as `ort/` → folder), e.g. a package's `dist`. */
  folders?: Record<string, string>;
  /** Keep function and class names in the bundle (default true); see {@link bundlePage}. */
  keepNames?: boolean;
}

/**
 * Bundles `entries` (output name → source file) into `dir` for a browser, workspace packages from their
 * sources, with an `index.html` loading `page.js`. `keepNames: false` for a page that starts
 * tfjs-backend-wasm's threaded build: it sends its module factory's source (`toString()`) to its worker
 * threads, where the `__name(...)` calls keepNames adds are undefined and every worker fails.
 */
export async function bundlePage(
  entries: Record<string, string>,
  dir: string,
  { keepNames = true }: { keepNames?: boolean } = {},
): Promise<void> {
  await build({
    entryPoints: entries,
    outdir: dir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['fmnist-source'],
    // The workspace keeps class names for tfjs serialization (tsup's keepNames); so does the test bundle.
    keepNames,
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><script type="module" src="./page.js"></script>',
  );
}

/** Bundles `entries` once (tfjs-backend-wasm's `.wasm` files under `/wasm/` with `wasmFrom`) and serves them. */
export async function servePage(options: ServePageOptions): Promise<ServedPage> {
  const dir = await mkdtemp(join(tmpdir(), 'fmnist-page-'));
  await bundlePage(options.entries, dir, { keepNames: options.keepNames ?? true });
  if (options.wasmFrom) {
    const wasmDist = dirname(createRequire(options.wasmFrom).resolve('@tensorflow/tfjs-backend-wasm'));
    await mkdir(join(dir, 'wasm'));
    for (const file of (await readdir(wasmDist)).filter((f) => f.endsWith('.wasm')))
      await copyFile(join(wasmDist, file), join(dir, 'wasm', file));
  }
  for (const [name, content] of Object.entries(options.files ?? {}))
    await writeFile(join(dir, name), content);
  const server = createServer(async (req, res) => {
    const asked = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    const isolated = asked.startsWith('/isolated/');
    const path = isolated ? asked.slice('/isolated'.length) : asked;
    const folder = Object.entries(options.folders ?? {}).find(([prefix]) => path.startsWith(`/${prefix}`));
    const file = folder
      ? join(folder[1], path.slice(folder[0].length + 1))
      : join(dir, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      res
        .writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'cache-control': 'no-store',
          ...(isolated ? ISOLATION_HEADERS : {}),
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
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The system's headless Chromium, sandbox and GPU off as in CI containers. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
