import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGES, type PackageCase } from './packages.js';
import { packTarballs, root, run, TOOLS } from './tarballs.js';

let work: string;
let tarballs = new Map<string, string>();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fmnist-consumers-'));
  tarballs = await packTarballs(PACKAGES, join(work, 'tarballs'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Every ```ts block of the package README, in order, as one module: each must run as written. */
async function readmeExample(p: PackageCase): Promise<string> {
  const readme = await readFile(join(root, p.dir, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  if (blocks.length === 0) throw new Error(`${p.dir}/README.md has no ts example`);
  return blocks.join('\n');
}

/** The `@fmnist` packages `name` depends on at run time, as its package.json says. */
function internalDependencies(name: string): string[] {
  const { dir } = PACKAGES.find((q) => q.name === name)!;
  const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  return Object.keys(manifest.dependencies ?? {}).filter((dep) => dep.startsWith('@fmnist/'));
}

/** The package and every `@fmnist` package it brings, installed from their tarballs. */
function closure(p: PackageCase): string[] {
  const seen = new Set<string>([p.name]);
  const visit = (name: string) => {
    for (const dep of internalDependencies(name)) {
      if (!seen.has(dep)) {
        seen.add(dep);
        visit(dep);
      }
    }
  };
  visit(p.name);
  for (const used of p.checkUses ?? []) {
    seen.add(used);
    visit(used);
  }
  return [...seen];
}

describe.each(PACKAGES)('$name installed from its tarball into a fresh project', (p) => {
  let dir: string;

  it('installs with npm, with one tfjs engine', async () => {
    dir = join(work, p.name.replace('/', '__'));
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
    );
    const local = closure(p).map((name) => tarballs.get(name)!);
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...local, ...p.peers, ...TOOLS], {
      cwd: dir,
    });
    if (p.peers.some((peer) => peer.startsWith('@tensorflow/tfjs-core'))) {
      const copies = run('npm', ['ls', '@tensorflow/tfjs-core', '--all', '--parseable'], { cwd: dir })
        .trim()
        .split('\n');
      expect(new Set(copies).size).toBe(1);
    }
  });

  it.skipIf(!p.mustNotBring)('brings only what its purpose needs', () => {
    const installedFor = (name: string) =>
      JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      };
    // What the package's own dependency tree holds (the check may install more for its own code).
    const brought = new Set<string>();
    const visit = (name: string) => {
      for (const dep of Object.keys(installedFor(name).dependencies ?? {}))
        if (!brought.has(dep)) {
          brought.add(dep);
          if (existsSync(join(dir, 'node_modules', dep, 'package.json'))) visit(dep);
        }
    };
    visit(p.name);
    for (const other of p.mustNotBring ?? []) expect(brought.has(other), other).toBe(false);
  });

  it('imports from ESM and from CommonJS', async () => {
    const names = JSON.stringify(p.exports);
    const check = `const missing = ${names}.filter((n) => !(n in m)); if (missing.length) { console.error('missing', missing); process.exit(1); }`;
    run('node', ['--input-type=module', '-e', `import * as m from '${p.name}'; ${check}`], { cwd: dir });
    run('node', ['-e', `const m = require('${p.name}'); ${check}`], { cwd: dir });
    if (!p.nodeExports) return;
    const nodeCheck = `const missing = ${JSON.stringify(p.nodeExports)}.filter((n) => !(n in m)); if (missing.length) { console.error('missing', missing); process.exit(1); }`;
    run('node', ['--input-type=module', '-e', `import * as m from '${p.name}/node'; ${nodeCheck}`], {
      cwd: dir,
    });
    run('node', ['-e', `const m = require('${p.name}/node'); ${nodeCheck}`], { cwd: dir });
  });

  const hasData = existsSync('/usr/share/datasets/fashion-mnist') || Boolean(process.env.FASHION_MNIST_DIR);
  if (p.usage && !hasData)
    console.warn(`SKIPPED ${p.name} usage check: Fashion-MNIST not installed (CI installs it)`);
  if (p.usage && hasData)
    it('does its job from ESM and from CommonJS', async () => {
      const { modules, body } = p.usage!;
      const imports = Object.entries(modules)
        .map(([name, module]) => (name ? `import * as ${name} from '${module}';` : `import '${module}';`))
        .join('\n');
      const requires = Object.entries(modules)
        .map(([name, module]) => (name ? `const ${name} = require('${module}');` : `require('${module}');`))
        .join('\n');
      const esm = run('node', ['--input-type=module', '-e', `${imports}\n${body}`], { cwd: dir });
      const cjs = run(
        'node',
        [
          '-e',
          `${requires}\n(async () => {${body}\n})().catch((e) => { console.error(e); process.exit(1); });`,
        ],
        { cwd: dir },
      );
      // Both module systems load the same build artifacts' logic, so they agree exactly.
      expect(cjs).toBe(esm);
    });

  it.each(['node16', 'bundler'])(
    'typechecks a TypeScript consumer under moduleResolution %s',
    async (resolution) => {
      const consumer = `import { ${p.exports.join(', ')} } from '${p.name}';\nexport const used: unknown[] = [${p.exports.join(', ')}];\n`;
      await writeFile(join(dir, 'consumer.mts'), consumer);
      const module = resolution === 'node16' ? 'node16' : 'esnext';
      await writeFile(
        join(dir, `tsconfig.${resolution}.json`),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            module,
            moduleResolution: resolution,
            target: 'es2022',
            lib: ['es2022', 'dom'],
            types: ['node'],
            skipLibCheck: false,
          },
          files: ['consumer.mts'],
        }),
      );
      // tfjs's own declarations do not pass a strict check (tfjs-core, tfjs-layers); ours and the consumer's must.
      let output = '';
      try {
        run(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', `tsconfig.${resolution}.json`], { cwd: dir });
      } catch (error) {
        output = (error as Error).message;
      }
      const ours = output
        .split('\n')
        .filter((line) => /error TS/.test(line) && !line.startsWith('node_modules/@tensorflow/'));
      expect(ours).toEqual([]);
    },
  );

  it("runs every example of the package's README", async () => {
    await writeFile(join(dir, 'example.mts'), await readmeExample(p));
    run(join(dir, 'node_modules', '.bin', 'tsx'), ['example.mts'], { cwd: dir, timeout: 300_000 });
  });

  if (!p.browser) return;
  it.each(['', ...(p.browserSubpaths ?? [])])(
    'bundles its entry %j for the browser without Node built-ins',
    async (subpath) => {
      const entry = subpath ? `${p.name}/${subpath}` : p.name;
      const name = subpath || 'root';
      await writeFile(
        join(dir, `browser-${name}.mjs`),
        `import * as m from '${entry}';\nconsole.log(Object.keys(m).length);\n`,
      );
      run(
        join(dir, 'node_modules', '.bin', 'esbuild'),
        [
          `browser-${name}.mjs`,
          '--bundle',
          '--platform=browser',
          '--format=esm',
          `--outfile=out-${name}.js`,
          '--log-level=error',
        ],
        { cwd: dir },
      );
      const bundle = await readFile(join(dir, `out-${name}.js`), 'utf8');
      expect(bundle).not.toMatch(/require\(["'](node:)?(fs|path|crypto|worker_threads|zlib)["']\)/);
    },
  );
});
