import { describe, expect, it } from 'vitest';
import { eventFileName, MAX_FILE_NAME_BYTES } from './paths.js';

describe('eventFileName', () => {
  it('keeps a short suffix as is', () => {
    expect(eventFileName(1_700_000_000, 0, '.v2', 'host')).toBe(`events.out.tfevents.1700000000.host.${process.pid}.0.v2`);
  });

  it('stays within 255 bytes for long suffixes and host names, multi-byte characters included', () => {
    for (const suffix of ['.' + 's'.repeat(250), '.' + 'é'.repeat(200), '.' + '😀'.repeat(100)])
      for (const host of ['host', 'h'.repeat(300)]) {
        const name = eventFileName(1_700_000_000, 12, suffix, host);
        expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_FILE_NAME_BYTES);
        expect(name.startsWith('events.out.tfevents.1700000000.')).toBe(true);
        expect(name).not.toContain('\uFFFD');
      }
  });
});
