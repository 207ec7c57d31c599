import { describe, expect, it } from 'vitest';
import { TRAIN_FLAGS } from './train-flags.js';

describe('fmnist-train flags, declared once', () => {
  it('the help names every declared flag with its default', () => {
    const help = TRAIN_FLAGS.help();
    for (const [name, spec] of Object.entries(TRAIN_FLAGS.specs)) {
      expect(help, name).toMatch(new RegExp(`^  (-\\w, )?--${name}\\b`, 'm'));
      if ('default' in spec) expect(help, name).toContain(`(default ${spec.default})`);
    }
  });

  it('parses every declared flag, repeatable ones into lists, and leaves defaults to the recipe layering', () => {
    const argv = Object.entries(TRAIN_FLAGS.specs).flatMap(([name, spec]) =>
      spec.type === 'boolean' ? [`--${name}`] : [`--${name}`, 'x'],
    );
    const { values } = TRAIN_FLAGS.parse([...argv, '--teacher', 'y']);
    expect(Object.keys(values).sort()).toEqual(Object.keys(TRAIN_FLAGS.specs).sort());
    expect(values.teacher).toEqual(['x', 'y']);
    expect(values.help).toBe(true);
    expect(TRAIN_FLAGS.parse([]).values.recipe).toBeUndefined();
    expect(TRAIN_FLAGS.defaultOf('recipe')).toBe('quick');
    expect(() => TRAIN_FLAGS.parse(['--bogus'])).toThrow(/Unknown option '--bogus'/);
    expect(() => TRAIN_FLAGS.parse(['stray'])).toThrow(/Unexpected argument 'stray'/);
  });
});
