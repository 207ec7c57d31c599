import { type ExecFileSyncOptions, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname;
/** The tools a consumer project installs beside the packages for these checks. */
export const TOOLS = ['typescript@5.9.3', 'tsx@4.23.15', '@types/node@20.19.43', 'esbuild@0.27.7'];

export function run(command: string, args: string[], options: ExecFileSyncOptions = {}) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: 'pipe', ...options }) as string;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}\n${e.message}`,
    );
  }
}

/** `pnpm pack`s each package (built first) into `destination`; returns name → tarball path. */
export async function packTarballs(
  packages: { name: string; dir: string }[],
  destination: string,
): Promise<Map<string, string>> {
  for (const p of packages) {
    if (!existsSync(join(root, p.dir, 'dist')))
      throw new Error(`${p.name} is not built: run pnpm build first`);
  }
  await mkdir(destination, { recursive: true });
  const tarballs = new Map<string, string>();
  for (const p of packages) {
    run('pnpm', ['pack', '--pack-destination', destination], { cwd: join(root, p.dir) });
    const file = readdirSync(destination).find(
      (f) =>
        f.startsWith(p.name.replace('@', '').replace('/', '-')) &&
        !Array.from(tarballs.values()).includes(join(destination, f)),
    );
    if (!file) throw new Error(`no tarball for ${p.name}`);
    tarballs.set(p.name, join(destination, file));
  }
  return tarballs;
}
