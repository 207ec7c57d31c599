const warned = new Set<string>();

/**
 * Says once per process, with `console.warn`, that `old` is deprecated and what replaces it. Old names
 * keep working for one release after their rename, then go.
 */
export function warnDeprecated(old: string, replacement: string): void {
  if (warned.has(old)) return;
  warned.add(old);
  console.warn(
    `@fmnist/model: ${old} is deprecated; use ${replacement} (the old name goes in a later release)`,
  );
}
