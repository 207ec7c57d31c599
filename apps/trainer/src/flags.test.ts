import { describe, expect, it } from 'vitest';
import { flagsHelp, PATH_FLAGS, parseTrainFlags, TRAIN_FLAGS } from './flags.js';

describe('fmnist-train flags, declared once', () => {
  it('the help names every declared flag with its default', () => {
    const help = flagsHelp();
    for (const [name, spec] of Object.entries(TRAIN_FLAGS)) {
      const line = help.split('\n').findIndex((l) => l.startsWith(`  --${name}`));
      expect(line, name).toBeGreaterThanOrEqual(0);
      if ('default' in spec) expect(help, name).toContain(`(default ${spec.default})`);
    }
  });

  it('parses every declared flag, repeatable ones into lists, and rejects others', () => {
    const argv = Object.entries(TRAIN_FLAGS).flatMap(([name, spec]) =>
      spec.type === 'boolean' ? [`--${name}`] : [`--${name}`, 'x'],
    );
    const parsed = parseTrainFlags([...argv, '--teacher', 'y']);
    expect(Object.keys(parsed).sort()).toEqual(Object.keys(TRAIN_FLAGS).sort());
    expect(parsed.teacher).toEqual(['x', 'y']);
    expect(parsed.help).toBe(true);
    expect(() => parseTrainFlags(['--bogus'])).toThrow(/Unknown option '--bogus'/);
    expect(PATH_FLAGS).toEqual(['config', 'data-dir', 'out', 'tensorboard', 'resume']);
  });
});
