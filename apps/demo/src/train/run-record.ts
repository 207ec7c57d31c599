import type { RunSettings } from './protocol.js';

/** localStorage key of the settings of a run that has checkpoints and did not finish. */
const KEY = 'fmnist-demo-run-settings';

/** The interrupted run's settings (what "resume" continues), if any. */
export function interruptedRun(): RunSettings | undefined {
  const saved = localStorage.getItem(KEY);
  return saved ? (JSON.parse(saved) as RunSettings) : undefined;
}

/** Remembers `settings` as the run in progress (a reload offers to resume it), or forgets it. */
export function recordRun(settings: RunSettings | undefined): void {
  if (settings) localStorage.setItem(KEY, JSON.stringify(settings));
  else localStorage.removeItem(KEY);
}
