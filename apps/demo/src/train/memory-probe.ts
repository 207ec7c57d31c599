// A setup module of the run's `DataParallelTrainer` (`setupModules`): each gradient worker imports it
// before building its replica, and from then on answers the training worker's memory queries.
import { answerMemoryQueries } from './memory-channel.js';
import { threadMemory } from './thread-memory.js';

/**
 * tfjs-core keeps a thread's one engine on the global object (`getOrMakeEngine` in tfjs-core's
 * `engine.ts`), so that every copy of tfjs in a thread shares it. Reading it there spares this module a
 * second copy of tfjs-core, whose side effects (platform, flags, gradients) would run again.
 */
type Engine = { memory(): { numTensors: number; numBytes: number } };
const engine = (globalThis as { _tfengine?: Engine })._tfengine;
if (!engine)
  throw new Error('memory-probe: this thread has no tfjs engine (globalThis._tfengine) to measure');

answerMemoryQueries(() => threadMemory(engine.memory()));
