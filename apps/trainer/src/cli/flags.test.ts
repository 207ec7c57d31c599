import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from './exit-codes.js';
import { choiceFlag, defineFlags, integerFlag, numberFlag } from './flags.js';

const specs = {
  out: { type: 'string', value: 'FILE', help: 'where to write', default: 'out.png', path: true },
  count: { type: 'string', value: 'N', help: 'how many' },
  tag: { type: 'string', multiple: true, value: 'T', help: 'a tag (repeatable)' },
  'a-rather-long-flag-name': { type: 'string', value: 'VALUE', help: 'wraps under its column' },
  verbose: { type: 'boolean', help: 'say more' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const;

describe('defineFlags', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('fills in defaults, resolves paths from where the user typed the command, collects repeats', () => {
    vi.stubEnv('INIT_CWD', '/home/user/project');
    const flags = defineFlags(specs, { positionals: true });
    const { values, positionals } = flags.parse(['model', '--tag', 'a', '-h', '--tag', 'b', '--count', '3']);
    expect(values).toEqual({ out: '/home/user/project/out.png', tag: ['a', 'b'], help: true, count: '3' });
    expect(positionals).toEqual(['model']);
    expect(flags.parse(['--out', '/abs/x.png']).values.out).toBe('/abs/x.png');
    expect(flags.parse(['--out', 'sub/x.png']).values.out).toBe('/home/user/project/sub/x.png');
  });

  it('leaves absent flags undefined when the command layers defaults itself', () => {
    const flags = defineFlags(specs, { applyDefaults: false });
    expect(flags.parse([]).values).toEqual({});
    expect(flags.defaultOf('out')).toBe('out.png');
    expect(flags.defaultOf('count')).toBeUndefined();
  });

  it('rejects unknown flags, missing values and, unless allowed, positionals (exit code 2 errors)', () => {
    const flags = defineFlags(specs);
    expect(() => flags.parse(['--nope'])).toThrow(
      expect.objectContaining({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }),
    );
    expect(() => flags.parse(['--count'])).toThrow(/argument missing/);
    expect(() => flags.parse(['stray'])).toThrow(/Unexpected argument 'stray'/);
  });

  it('writes one help line per flag with its placeholder, alias and default, wrapping long names', () => {
    const lines = defineFlags(specs).help().split('\n');
    expect(lines[0]).toMatch(/^ {2}--out FILE +where to write \(default out\.png\)$/);
    expect(lines).toContain(`  -h, --help${' '.repeat(14)}this text`);
    const long = lines.findIndex((l) => l.includes('--a-rather-long-flag-name'));
    expect(lines[long]).toBe('  --a-rather-long-flag-name VALUE');
    expect(lines[long + 1]).toBe(`${' '.repeat(26)}wraps under its column`);
  });
});

describe('flag values', () => {
  it('integers: absent is undefined, below the minimum or not whole is a usage error naming the flag', () => {
    expect(integerFlag('epochs', undefined, 1)).toBeUndefined();
    expect(integerFlag('epochs', '12', 1)).toBe(12);
    for (const bad of ['0', '1.5', 'x', ' '])
      expect(() => integerFlag('epochs', bad, 1)).toThrow(
        new UsageError(`--epochs must be an integer ≥ 1, got '${bad}'`),
      );
  });

  it('numbers: finite, passing the check', () => {
    expect(numberFlag('zoom', '0.25')).toBe(0.25);
    expect(() => numberFlag('zoom', 'Infinity')).toThrow("--zoom must be a number, got 'Infinity'");
    expect(() => numberFlag('lr', '-1', (n) => n > 0, 'a positive number')).toThrow(
      "--lr must be a positive number, got '-1'",
    );
  });

  it('choices: one of the list, else the list in the error', () => {
    expect(choiceFlag('backend', 'wasm', ['auto', 'wasm'])).toBe('wasm');
    expect(() => choiceFlag('backend', 'gpu', ['auto', 'wasm'])).toThrow(
      "--backend must be one of auto, wasm, got 'gpu'",
    );
  });
});
