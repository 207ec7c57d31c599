import type { Page } from 'playwright-core';
import type { DemoState } from '../demo-state.js';
import type { RunSettings } from '../train/protocol.js';

/** The page's `window.fmnistDemo`, read from the test. */
export function demoState(
  page: Page,
): Promise<Omit<DemoState, 'longTasks'> & { longTasks: { count: number; longest: number } }> {
  return page.evaluate(() => {
    const { longTasks, ...rest } = window.fmnistDemo;
    return { ...rest, longTasks: { count: longTasks.count, longest: longTasks.longest } };
  });
}

/** Opens the Train tab and loads the data the page serves. */
export async function openTrainTab(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await page.click('#tab-train');
  await page.click('#load-data');
  await page.waitForSelector('#train-start:not([disabled])', { timeout: 60_000 });
}

/** The Train tab's form; batch size and augmentation left out stay the recipe's. */
export type FormSettings = Omit<RunSettings, 'batchSize' | 'augment'> &
  Partial<Pick<RunSettings, 'batchSize' | 'augment'>> & { testCount: number };

/** Fills the Train tab's form. */
export async function fillSettings(page: Page, settings: FormSettings): Promise<void> {
  await page.selectOption('#recipe', settings.recipe);
  if (settings.batchSize !== undefined) await page.fill('#batch-size', String(settings.batchSize));
  if (settings.augment !== undefined) await page.setChecked('#augment', settings.augment);
  for (const [id, value] of [
    ['epochs', settings.epochs],
    ['subset', settings.subset],
    ['test-count', settings.testCount],
    ['workers', settings.workers],
    ['seed', settings.seed],
    ['checkpoint-seconds', settings.checkpointSeconds],
  ] as const)
    await page.fill(`#${id}`, String(value));
}

/** Waits until the run is done (or stopped, or failed: then the page's message is the error). */
export async function waitForRunEnd(page: Page, timeout = 240_000): Promise<void> {
  await page.waitForFunction(
    () => ['done', 'stopped', 'failed'].includes(window.fmnistDemo.train.phase),
    null,
    {
      timeout,
      polling: 250,
    },
  );
  const phase = await page.evaluate(() => window.fmnistDemo.train.phase);
  if (phase === 'failed') throw new Error(`training failed: ${await page.textContent('#train-status')}`);
}
