/**
 * The first epoch of the run, from the params tfjs's `fit` and `fitDataParallel` give callbacks
 * (`initialEpoch`); undefined when unknown (`fitDataset` passes null).
 */
export function firstEpochOf(params: Record<string, unknown> | undefined): number | undefined {
  const initialEpoch = params?.initialEpoch;
  return typeof initialEpoch === 'number' && Number.isInteger(initialEpoch) && initialEpoch >= 0
    ? initialEpoch
    : undefined;
}
