/**
 * A replaceable logger. Lines carry a status mark (✅ success, ⚠️ warning, ❌ error) as the seeds ask.
 * Silent below `level`. Secrets registered with `redact` never reach the sink.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Warn once per key for the life of this logger. */
  warnOnce(key: string, message: string): void;
  /** Report an error once per key; later ones with the same key are only counted by the caller. */
  errorOnce(key: string, message: string): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to stderr. */
  sink?: (level: Exclude<LogLevel, 'silent'>, line: string) => void;
  /** Prefix for every line, e.g. '[metrics]'. */
  prefix?: string;
  /** Strings (API keys, tokens) to mask in every line. */
  secrets?: () => readonly string[];
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export const MARK = { success: '✅', warn: '⚠️', error: '❌' } as const;

const COLOR: Partial<Record<LogLevel, string>> = { error: '\x1b[31m', warn: '\x1b[33m' };

/**
 * Errors in red and warnings in yellow on a terminal, so a failed run stands out at the end of the output.
 * `NO_COLOR` turns colour off and `FORCE_COLOR` (not `0`) on, as most Node CLIs do; pipes and files stay plain.
 */
export function colorize(level: LogLevel, line: string, stream: { isTTY?: boolean } = process.stderr): string {
  const code = COLOR[level];
  if (!code) return line;
  const env = process.env;
  const force = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  const on = env.NO_COLOR ? false : force || (stream.isTTY === true && env.TERM !== 'dumb');
  return on ? `${code}${line}\x1b[0m` : line;
}

function envLevel(): LogLevel | undefined {
  const v = typeof process !== 'undefined' ? process.env.METRICS_LOG_LEVEL : undefined;
  return v && v in ORDER ? (v as LogLevel) : undefined;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? envLevel() ?? 'info'];
  const prefix = options.prefix ?? '[metrics]';
  const sink = options.sink ?? ((level, line) => process.stderr.write(colorize(level, line) + '\n'));
  const seen = new Set<string>();
  const emit = (level: Exclude<LogLevel, 'silent'>, mark: string, message: string) => {
    if (ORDER[level] < threshold) return;
    let line = `${prefix} ${mark ? mark + ' ' : ''}${message}`;
    for (const secret of options.secrets?.() ?? []) if (secret) line = line.split(secret).join('***');
    sink(level, line);
  };
  return {
    debug: (m) => emit('debug', '', m),
    info: (m) => emit('info', '', m),
    success: (m) => emit('info', MARK.success, m),
    warn: (m) => emit('warn', MARK.warn, m),
    error: (m) => emit('error', MARK.error, m),
    warnOnce(key, m) {
      if (seen.has('w:' + key)) return;
      seen.add('w:' + key);
      emit('warn', MARK.warn, m);
    },
    errorOnce(key, m) {
      if (seen.has('e:' + key)) return;
      seen.add('e:' + key);
      emit('error', MARK.error, m);
    },
  };
}

/** Masks every occurrence of each secret in `text`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** Wraps any logger (e.g. the user's) so the given secrets are masked before a line reaches it. */
export function withSecrets(logger: Logger, secrets: () => readonly (string | undefined)[]): Logger {
  const mask = (m: string) => redact(m, secrets());
  return {
    debug: (m) => logger.debug(mask(m)),
    info: (m) => logger.info(mask(m)),
    success: (m) => logger.success(mask(m)),
    warn: (m) => logger.warn(mask(m)),
    error: (m) => logger.error(mask(m)),
    warnOnce: (key, m) => logger.warnOnce(key, mask(m)),
    errorOnce: (key, m) => logger.errorOnce(key, mask(m)),
  };
}
