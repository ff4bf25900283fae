/** One page of an MLflow list endpoint: its items and the token of the next page, if any. */
export interface Page<T> {
  items: readonly T[] | undefined;
  nextPageToken?: string;
}

/**
 * Every item of an MLflow list endpoint (`runs/search`, `metrics/get-history`, `experiments/search`, the registry
 * searches), following `next_page_token`. Stops on a missing token, an empty page, a token already seen (a server
 * that does not advance would otherwise loop for ever), or when `enough(count)` says so.
 */
export async function collectPages<T>(
  fetchPage: (pageToken: string | undefined, count: number) => Promise<Page<T>>,
  enough: (count: number) => boolean = () => false,
): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (;;) {
    const page = await fetchPage(token, out.length);
    const items = page.items ?? [];
    for (const item of items) out.push(item);
    token = page.nextPageToken || undefined;
    if (!token || items.length === 0 || seen.has(token) || enough(out.length)) return out;
    seen.add(token);
  }
}
