import { statSync } from 'node:fs';
import { parseCommandLine, UsageError } from './cli-args.js';
import { READ_COMMAND_OPTIONS, runReadCommand } from './commands.js';
import type { RunReader } from './types.js';

/** The option values every local-files CLI gets: the directory option's, `runs`/`history`'s, help. */
export interface LocalCliValues {
  [option: string]: string | boolean | undefined;
  sparkline?: boolean;
  width?: string;
  help?: boolean;
}

/** A CLI that reads runs from local files (`metrics-tensorboard`, `metrics-wandb`): what differs between them. */
export interface LocalReadCli {
  /** The bin's name, the prefix of its error lines. */
  program: string;
  usage: string;
  help: string;
  /** The option naming where the runs are (`logdir`, `dir`). */
  dirOption: string;
  /** Where the runs are without that option. */
  defaultDir: () => string;
  /** Said after "<path> is not a directory". */
  notADirectoryHint?: string;
  reader: (dir: string) => RunReader;
  /** Commands of the backend's own (`inspect`): their exit code. They may throw UsageError. */
  commands?: Record<string, (args: string[], values: LocalCliValues) => number>;
}

/** Why `path` cannot be read as a directory of runs, or undefined when it can. */
export function unreadableDirectory(path: string, notADirectoryHint?: string): string | undefined {
  try {
    if (statSync(path).isDirectory()) return undefined;
    return `${path} is not a directory${notADirectoryHint ? ` (${notADirectoryHint})` : ''}`;
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === 'ENOENT' ? `${path}: no such file or directory` : `${path}: ${code ?? (error as Error).message}`;
  }
}

/**
 * Runs one command line of a local-files CLI: help, the backend's own commands, then `runs` and `history`
 * against the directory the option names. Prints what it reads and returns the exit code: 0 read, 1 a path
 * that cannot be read or a reader error (unknown run or metric), 2 bad usage (with the usage text).
 */
export async function runLocalReadCli(cli: LocalReadCli, argv: readonly string[]): Promise<number> {
  const options = { [cli.dirOption]: { type: 'string' }, ...READ_COMMAND_OPTIONS, help: { type: 'boolean', short: 'h' } } as const;
  try {
    const { values, positionals } = parseCommandLine(argv, options) as { values: LocalCliValues; positionals: string[] };
    if (values.help || positionals[0] === 'help') {
      process.stdout.write(cli.help);
      return 0;
    }
    const [command, ...args] = positionals;
    if (command === undefined) throw new UsageError('no command given');
    const own = cli.commands?.[command];
    if (own) return own(args, values);
    if (command !== 'runs' && command !== 'history') throw new UsageError(`unknown command "${command}"`);
    const dir = (values[cli.dirOption] as string | undefined) ?? cli.defaultDir();
    const problem = unreadableDirectory(dir, cli.notADirectoryHint);
    if (problem) {
      process.stderr.write(`${cli.program}: ${problem}\n`);
      return 1;
    }
    process.stdout.write(`${await runReadCommand(cli.reader(dir), command, args, values)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${cli.program}: ${error.message}\n${cli.usage}\n`);
      return 2;
    }
    process.stderr.write(`${cli.program}: ${(error as Error).message}\n`);
    return 1;
  }
}
