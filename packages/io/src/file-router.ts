import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from '@tensorflow/tfjs-core';
import { directoryLoadHandler, directorySaveHandler } from './model-directory.js';

const SCHEME = 'file://';

/** The directory a `file://` URL names: the directory itself, or the one holding its `model.json`. */
function directoryOf(url: string): string {
  const path = url.startsWith('file:///') ? fileURLToPath(url) : url.slice(SCHEME.length);
  return path.endsWith('.json') ? dirname(path) : path;
}

let registered = false;

/**
 * Lets `model.save('file://dir')` and `tf.loadLayersModel('file://dir/model.json')` work on every
 * backend, as they do with tfjs-node: registers `file://` save and load routers backed by
 * {@link directorySaveHandler} and {@link directoryLoadHandler}. Does nothing if `file://` already has
 * a router (tfjs-node loaded, or a second call). Returns whether it registered them.
 */
export function registerFileSystemRouter(): boolean {
  if (registered || io.getSaveHandlers(`${SCHEME}probe`).length > 0) return false;
  // tfjs's routers answer null for URLs that are not theirs (its IORouter type does not say so).
  const route = (handler: (dir: string) => io.IOHandler) =>
    ((url: string | string[]) => {
      const target = Array.isArray(url) ? url[0] : url;
      return target?.startsWith(SCHEME) ? handler(directoryOf(target)) : null;
    }) as Parameters<typeof io.registerSaveRouter>[0];
  io.registerSaveRouter(route(directorySaveHandler));
  io.registerLoadRouter(route(directoryLoadHandler));
  registered = true;
  return true;
}
