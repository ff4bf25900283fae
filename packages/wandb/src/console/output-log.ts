import type { ConsoleLine } from './capture.js';

/** `YYYY-MM-DDTHH:MM:SS.ffffff` in UTC, as wandb stamps `output.log` lines. */
export function outputLogTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, -1)}000`;
}

/**
 * What a terminal shows for a line rewritten with `\r` (a progress bar): each segment overwrites the
 * start of the line. A `\r` right before the newline (CRLF) changes nothing.
 */
export function afterCarriageReturns(text: string): string {
  if (text.indexOf('\r') === -1) return text;
  let shown = '';
  for (const segment of text.split('\r')) shown = segment + shown.slice(segment.length);
  return shown;
}

/** One `output.log` file_stream line: `[ERROR ]<UTC time> <text>` (stderr marked as wandb does). */
export function outputLogLine(line: ConsoleLine): string {
  return `${line.stream === 'stderr' ? 'ERROR ' : ''}${outputLogTime(line.timeMs)} ${afterCarriageReturns(line.text)}`;
}
