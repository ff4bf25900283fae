import { parseArgs, type ParseArgsConfig } from 'node:util';

/** What parseCommandLine returns: option values by name, and the positionals. */
export interface ParsedCommandLine {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}
import { didYouMeanHint } from '../did-you-mean.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Bad command-line usage; the CLIs print its message with their usage and exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * `node:util` parseArgs (strict, positionals allowed) whose unknown-option error names the closest known
 * flag: `--sparklin` → "unknown option --sparklin; did you mean `--sparkline`?". Throws UsageError.
 */
export function parseCommandLine(argv: readonly string[], options: Options): ParsedCommandLine {
  const loose = parseArgs({ args: [...argv], options, allowPositionals: true, strict: false, tokens: true });
  const known = new Map<string, string>();
  for (const [name, o] of Object.entries(options)) {
    known.set(`--${name}`, name);
    if (o.short) known.set(`-${o.short}`, name);
  }
  for (const token of loose.tokens ?? []) {
    if (token.kind !== 'option' || known.has(token.rawName)) continue;
    const flags = Object.keys(options).map((n) => `--${n}`);
    throw new UsageError(`unknown option ${token.rawName}${didYouMeanHint(token.rawName.startsWith('--') ? token.rawName : `--${token.name}`, flags)}`);
  }
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A positive integer option (`--width 40`), or UsageError naming the flag. */
export function positiveIntOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer (got "${value}")`);
  return n;
}
