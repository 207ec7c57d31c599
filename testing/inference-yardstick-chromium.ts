// Test and bench support, not a package: the Node half of the inference yardstick in Chromium. Each request
// loads the page (whose script called exposeYardstick, inference-yardstick-page.ts) in a tab of its own and
// runs one runtime there.
import type { Browser } from 'playwright-core';
import type { YardstickRequest, YardstickResult } from './inference-yardstick-page.js';

/** Runs `request` in a fresh tab of `browser` at `url`; a page error fails it with the page's message. */
export async function yardstickInChromium(
  browser: Browser,
  url: string,
  request: YardstickRequest,
): Promise<YardstickResult> {
  const tab = await browser.newPage();
  const errors: Error[] = [];
  tab.on('pageerror', (error) => errors.push(error));
  try {
    await tab.goto(url);
    await tab.waitForSelector('body[data-yardstick="ready"]', { state: 'attached', timeout: 60_000 });
    const result = await tab.evaluate(
      (r) => (globalThis as unknown as { yardstick(r: unknown): Promise<YardstickResult> }).yardstick(r),
      request,
    );
    if (errors.length > 0) throw errors[0];
    return result;
  } catch (error) {
    throw new Error(`the yardstick at ${url} (${request.runtime}, ${request.threads} thread(s)) failed`, {
      cause: errors[0] ?? error,
    });
  } finally {
    await tab.close();
  }
}
