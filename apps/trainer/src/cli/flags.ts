import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKEND_CHOICES } from '@fmnist/backend';
import { UsageError } from './exit-codes.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** Repeatable (values collected in a list). */
  multiple?: true;
  /** A one-letter alias, `-h` for `--help`. */
  short?: string;
  /** The value's placeholder in the help text. */
  value?: string;
  help: string;
  /** Shown in the help; filled in by `parse` when the command asks for it (see `defineFlags`). */
  default?: string;
  /** A path: relative values are taken from where the user typed the command. */
  path?: true;
}

type FlagValue<F extends FlagSpec> = F['type'] extends 'boolean'
  ? boolean
  : F extends { multiple: true }
    ? string[]
    : string;

/** The parsed flags: strings, booleans, lists for repeatable flags; absent ones undefined unless defaulted. */
export type ParsedFlags<S extends Record<string, FlagSpec>, Defaulted extends boolean = false> = {
  -readonly [K in keyof S]?: FlagValue<S[K]>;
} & (Defaulted extends true
  ? { -readonly [K in keyof S as S[K] extends { default: string } ? K : never]: FlagValue<S[K]> }
  : unknown);

export interface Flags<S extends Record<string, FlagSpec>, Defaulted extends boolean> {
  readonly specs: S;
  /**
   * Parses `argv`: unknown flags and missing values throw node:util's ERR_PARSE_ARGS errors (exit code 2);
   * path flags come back absolute.
   */
  parse(argv: string[]): { values: ParsedFlags<S, Defaulted>; positionals: string[] };
  /** `--name VALUE   help (default D)`, one line per flag, help wrapped under its column. */
  help(): string;
  defaultOf(name: keyof S): string | undefined;
}

/**
 * A command's flags, declared once: parsing, path resolution and the help text come from the specs.
 * `applyDefaults: false` leaves absent flags undefined, for commands that layer flags over other sources
 * (fmnist-train: recipe, then --config, then flags) and read defaults with `defaultOf` last.
 */
export function defineFlags<const S extends Record<string, FlagSpec>, Defaulted extends boolean = true>(
  specs: S,
  { positionals = false, applyDefaults = true as Defaulted } = {},
): Flags<S, Defaulted> {
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      {
        type: spec.type,
        ...(spec.multiple ? { multiple: true } : {}),
        ...(spec.short ? { short: spec.short } : {}),
        ...(applyDefaults && spec.default !== undefined ? { default: spec.default } : {}),
      },
    ]),
  );
  return {
    specs,
    parse(argv) {
      const parsed = parseArgs({ args: argv, strict: true, allowPositionals: positionals, options });
      const values = parsed.values as Record<string, unknown>;
      for (const [name, spec] of Object.entries(specs)) {
        if (spec.path && typeof values[name] === 'string') values[name] = userPath(values[name]);
      }
      return { values: values as ParsedFlags<S, Defaulted>, positionals: parsed.positionals };
    },
    help() {
      const width = 26;
      return Object.entries(specs)
        .map(([name, spec]) => {
          const short = spec.short ? `-${spec.short}, ` : '';
          const left = `  ${short}--${name}${spec.value ? ` ${spec.value}` : ''}`;
          const help = `${spec.help}${spec.default !== undefined ? ` (default ${spec.default})` : ''}`;
          return left.length < width ? left.padEnd(width) + help : `${left}\n${' '.repeat(width)}${help}`;
        })
        .join('\n');
    },
    defaultOf: (name) => specs[name]?.default,
  };
}

/** A path the user typed, made absolute from where they typed it (pnpm runs scripts from the package directory). */
export function userPath(path: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

/** `--flag`'s value as an integer ≥ `min` (undefined when absent); anything else is a usage error. */
export function integerFlag(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min)
    throw new UsageError(`--${flag} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

/** `--flag`'s value as a finite number passing `check` (undefined when absent); `expected` says what passes. */
export function numberFlag(
  flag: string,
  value: string | undefined,
  check: (n: number) => boolean = () => true,
  expected = 'a number',
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n))
    throw new UsageError(`--${flag} must be ${expected}, got '${value}'`);
  return n;
}

/** `--flag`'s value when it is one of `choices`; anything else is a usage error listing them. */
export function choiceFlag<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!choices.includes(value as T))
    throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got '${value}'`);
  return value as T;
}

/** Flags several commands share, spelled and explained the same way in each. */
export const SHARED_FLAGS = {
  backend: { type: 'string', value: 'B', help: BACKEND_CHOICES.join(' | '), default: 'auto' },
  'data-dir': {
    type: 'string',
    value: 'DIR',
    help: 'use the Fashion-MNIST files there (default: search the usual places)',
    path: true,
  },
  'no-download': { type: 'boolean', help: 'never download the data' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const satisfies Record<string, FlagSpec>;
