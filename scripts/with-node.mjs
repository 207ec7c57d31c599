#!/usr/bin/env node
// Runs a command under another major version of Node, fetched once from the npm registry (the
// `node-<platform>-<arch>` packages carry official Node binaries) into ~/.cache/fmnist. Used by CI to
// run the test suite on Node 24 as well as the machine's own Node.
//   node scripts/with-node.mjs 24 node_modules/vitest/vitest.mjs run
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

const [major, ...args] = process.argv.slice(2);
if (!/^\d+$/.test(major ?? '') || args.length === 0) {
  console.error('usage: node scripts/with-node.mjs <major> <script> [args…]');
  process.exit(2);
}
const pkg = `node-${process.platform}-${process.arch}`;
const cache = join(homedir(), '.cache', 'fmnist', `node-${major}-${process.platform}-${process.arch}`);
const binary = join(cache, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');

if (!existsSync(binary)) {
  const work = mkdtempSync(join(tmpdir(), 'fmnist-node-'));
  try {
    console.error(`fetching Node ${major} (${pkg}@${major}) from the npm registry…`);
    execFileSync('npm', ['pack', `${pkg}@${major}`, '--pack-destination', work, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${pkg}@${major} gave no tarball`);
    execFileSync('tar', ['xzf', join(work, tarball), '-C', work]);
    mkdirSync(dirname(cache), { recursive: true });
    rmSync(cache, { recursive: true, force: true });
    // Renamed into place whole, so an interrupted fetch never leaves a half-unpacked Node behind.
    renameSync(join(work, 'package'), cache);
  } catch (error) {
    console.error(
      `cannot get Node ${major} for ${process.platform}-${process.arch} from the npm registry (${pkg}@${major}): ${error.message}`,
    );
    process.exit(1);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
console.error(`running under Node ${version}: ${args.join(' ')}`);
// Its directory first on PATH, so child processes that run `node` get the same version.
const env = { ...process.env, PATH: `${dirname(binary)}${delimiter}${process.env.PATH ?? ''}` };
const result = spawnSync(binary, args, { stdio: 'inherit', env });
process.exit(result.status ?? 1);
