// Runs reference/pytorch_train_step.py, the same networks in PyTorch, for `pnpm bench:compare`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ModelArchitecture } from '@fmnist/model';

const script = fileURLToPath(new URL('./reference/pytorch_train_step.py', import.meta.url));

/** A Python that can import torch: Debian's python3-torch lives in /usr/bin/python3. */
export function findPython(): string | undefined {
  for (const candidate of [process.env.PYTHON, 'python3', '/usr/bin/python3']) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ['-c', 'import torch'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

/**
 * The vector ISA PyTorch's oneDNN runs at: `PYTORCH_ISA` (an `ONEDNN_MAX_CPU_ISA` value such as `avx2` or
 * `sse41`), or `native` (the CPU's widest; an `ONEDNN_MAX_CPU_ISA` in our environment is not passed on).
 */
export const pytorchIsa = process.env.PYTORCH_ISA || 'native';

function pytorchEnvironment(): NodeJS.ProcessEnv {
  const { ONEDNN_MAX_CPU_ISA: _inherited, ...env } = process.env;
  return pytorchIsa === 'native' ? env : { ...env, ONEDNN_MAX_CPU_ISA: pytorchIsa };
}

interface PytorchRun {
  model: ModelArchitecture;
  threads: number;
  batch: number;
  steps: number;
  /** Forward passes in eval mode instead of training steps. */
  inference?: boolean;
}

/** Images per second of the PyTorch twin of `model`, in a process of its own. */
export function pytorchThroughput(python: string, run: PytorchRun): number {
  const args = [
    script,
    ...['--model', run.model, '--threads', String(run.threads)],
    ...['--batch', String(run.batch), '--steps', String(run.steps)],
    ...(run.inference ? ['--inference'] : []),
  ];
  const child = spawnSync(python, args, { encoding: 'utf8', env: pytorchEnvironment() });
  if (child.status !== 0) throw new Error(`${script} ${args.slice(1).join(' ')} failed: ${child.stderr}`);
  return (JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { value: number }).value;
}
