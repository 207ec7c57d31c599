import { describe, expect, it } from 'vitest';
import { memoryCheckpointStore } from './memory-checkpoint-store.js';
import { cpuTests } from './testing/models.js';
import { checkpointStoreContract } from './testing/store-contract.js';

cpuTests();

checkpointStoreContract('memoryCheckpointStore', memoryCheckpointStore);

describe('memoryCheckpointStore', () => {
  it('names checkpoints and files as memory: keys', () => {
    expect(memoryCheckpointStore().describe('last', 'weights.bin')).toBe('memory:last/weights.bin');
  });
});
