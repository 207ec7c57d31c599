/** The IndexedDB database holding the Train tab's run checkpoints (one run at a time). */
export const RUN_STORE = 'fmnist-demo-run';
