import { describe, expect, it } from 'vitest';
import { collectPages } from './paging.js';

describe('collectPages', () => {
  it('follows next_page_token to the end, in order', async () => {
    const pages: Record<string, { items: number[]; nextPageToken?: string }> = {
      '': { items: [1, 2], nextPageToken: 'b' },
      b: { items: [3], nextPageToken: 'c' },
      c: { items: [4] },
    };
    const asked: (string | undefined)[] = [];
    const all = await collectPages<number>(async (token) => {
      asked.push(token);
      return pages[token ?? '']!;
    });
    expect(all).toEqual([1, 2, 3, 4]);
    expect(asked).toEqual([undefined, 'b', 'c']);
  });

  it('stops on a token that does not advance, and on an empty page, instead of looping for ever', async () => {
    let calls = 0;
    expect(await collectPages<number>(async () => ({ items: [++calls], nextPageToken: 'same' }))).toEqual([1, 2]);
    expect(await collectPages<number>(async () => ({ items: [], nextPageToken: 'more' }))).toEqual([]);
  });

  it('stops once enough items are in, telling each page how many it has', async () => {
    const counts: number[] = [];
    const all = await collectPages<number>(
      async (_token, count) => {
        counts.push(count);
        return { items: [count, count + 1], nextPageToken: `t${count}` };
      },
      (n) => n >= 5,
    );
    expect(all).toEqual([0, 1, 2, 3, 4, 5]);
    expect(counts).toEqual([0, 2, 4]);
  });
});
