import { recipeDefaults } from './demo-recipes.js';
import type { RunSettings } from './protocol.js';

/**
 * localStorage key of the settings of a run that did not finish: the page offers "Resume" when it is set
 * (the settings themselves also travel in each checkpoint, which "Resume" prefers).
 */
const KEY = 'fmnist-demo-run-settings';

/** The interrupted run's settings (what "resume" continues), if any. */
export function interruptedRun(): RunSettings | undefined {
  const saved = localStorage.getItem(KEY);
  if (!saved) return undefined;
  const settings = JSON.parse(saved) as RunSettings;
  // A run recorded before the page had batch-size and augmentation controls trained with the recipe's.
  return { ...recipeDefaults(settings.recipe), ...settings };
}

/** Remembers `settings` as the run in progress (a reload offers to resume it), or forgets it. */
export function recordRun(settings: RunSettings | undefined): void {
  if (settings) localStorage.setItem(KEY, JSON.stringify(settings));
  else localStorage.removeItem(KEY);
}
