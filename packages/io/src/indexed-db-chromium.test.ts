import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  launchChromium,
  type ServedPage,
  servePage,
  warnIfNoChromium,
} from '../../../testing/chromium-page.js';
import type { CheckpointFiles, CheckpointStore } from './checkpoint-store.js';
import { IoError } from './errors.js';
import { cpuTests } from './testing/models.js';
import { checkpointStoreContract } from './testing/store-contract.js';

warnIfNoChromium("the IndexedDB store's Chromium tests");
cpuTests();

let browser: Browser;
let site: ServedPage;
let page: Page;

beforeAll(async () => {
  if (!chromiumAvailable) return;
  browser = await launchChromium();
  site = await servePage({
    entries: { page: new URL('./testing/browser/store-page.ts', import.meta.url).pathname },
  });
  page = await browser.newPage();
  await page.goto(`${site.origin}/`);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

type Reply = { value?: unknown; error?: { name: string; message: string } };

/** A store whose every call runs `indexedDbCheckpointStore(db)` in the page, on Chromium's IndexedDB. */
function storeInChromium(db: string): CheckpointStore {
  const call = async (method: string, ...args: unknown[]) => {
    const reply: Reply = await page.evaluate(
      ([db, method, args]) =>
        (globalThis as unknown as { storeCall(...a: unknown[]): Promise<Reply> }).storeCall(db, method, args),
      [db, method, args] as const,
    );
    if (reply.error)
      throw reply.error.name === 'IoError'
        ? new IoError(reply.error.message)
        : new Error(reply.error.message);
    return reply.value;
  };
  const sent = (files: CheckpointFiles) =>
    Object.fromEntries(
      Object.entries(files).map(([file, content]) => [
        file,
        content instanceof Uint8Array ? { bytes: Array.from(content) } : content,
      ]),
    );
  return {
    write: async (name, files) => {
      await call('write', name, sent(files));
    },
    read: async (name) => {
      const files = (await call('read', name)) as Record<string, number[]> | undefined;
      return (
        files &&
        Object.fromEntries(Object.entries(files).map(([file, bytes]) => [file, Uint8Array.from(bytes)]))
      );
    },
    has: async (name) => (await call('has', name)) as boolean,
    list: async () => (await call('list')) as string[],
    remove: async (name) => {
      await call('remove', name);
    },
    move: async (from, to) => {
      await call('move', from, to);
    },
    describe: (name, file) => `indexeddb://${db}/${name}${file === undefined ? '' : `/${file}`}`,
  };
}

let databases = 0;
describe.skipIf(!chromiumAvailable)('indexedDbCheckpointStore in headless Chromium', () => {
  checkpointStoreContract('indexedDbCheckpointStore (Chromium)', () =>
    storeInChromium(`contract-${databases++}`),
  );

  it('keeps the previous checkpoint loadable when the page reloads in the middle of a save', async () => {
    const run = (name: string) =>
      page.evaluate(
        ([name, db]) => (globalThis as unknown as Record<string, (db: string) => unknown>)[name]!(db),
        [name, 'reload'] as const,
      );
    await run('saveFirst');
    await run('saveSecondAndHang');
    await page.waitForFunction(() => document.title === 'writing');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    // saveRotating moved `last` aside as `previous`, then the write of the new `last` never committed.
    expect(await run('loadAfterReload')).toEqual({
      name: 'previous',
      state: { epoch: 1 },
      values: [1],
      list: ['previous'],
    });
  });
});
