import { afterEach, describe, expect, it, vi } from 'vitest';
import { colorize, createLogger } from './logger.js';

const RED = '\x1b[31m';

describe('the default logger on a terminal', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('prints errors in red and warnings in yellow when colour is forced, info plain', () => {
    vi.stubEnv('NO_COLOR', '');
    vi.stubEnv('FORCE_COLOR', '1');
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const logger = createLogger();
    logger.error('Run r: every experiment tracker failed, nothing was saved');
    logger.warn('spooled');
    logger.info('plain');
    expect(lines[0]).toBe(`${RED}[metrics] ❌ Run r: every experiment tracker failed, nothing was saved\x1b[0m\n`);
    expect(lines[1]!.startsWith('\x1b[33m')).toBe(true);
    expect(lines[2]).toBe('[metrics] plain\n');
  });

  it('stays plain in pipes and files, and with NO_COLOR even on a terminal', () => {
    vi.stubEnv('FORCE_COLOR', undefined);
    vi.stubEnv('NO_COLOR', '');
    vi.stubEnv('TERM', 'xterm-256color');
    expect(colorize('error', 'x', { isTTY: false })).toBe('x');
    expect(colorize('error', 'x', { isTTY: true })).toBe(`${RED}x\x1b[0m`);
    vi.stubEnv('NO_COLOR', '1');
    expect(colorize('error', 'x', { isTTY: true })).toBe('x');
  });
});
