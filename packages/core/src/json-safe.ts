/**
 * A JSON-safe copy of any value a user may pass as a config or summary: cycles become "[Circular]", BigInt
 * its decimal text, functions and symbols are dropped, a throwing getter gives "[unreadable]", and depth and
 * size are capped ("[truncated]"), so no input can throw, recurse without end or blow up exponentially.
 * Non-finite numbers stay numbers (each backend encodes them its own way).
 */
export function toJsonSafe(value: unknown, limits: { maxDepth?: number; maxNodes?: number } = {}): unknown {
  const budget = { nodes: limits.maxNodes ?? 100_000 };
  return copy(value, 0, limits.maxDepth ?? 64, budget, new Set());
}

function copy(value: unknown, depth: number, maxDepth: number, budget: { nodes: number }, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case 'number':
    case 'string':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  if (--budget.nodes < 0 || depth >= maxDepth) return '[truncated]';
  const obj = value as object;
  if (ancestors.has(obj)) return '[Circular]';
  ancestors.add(obj);
  try {
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return copy(toJSON.call(obj), depth + 1, maxDepth, budget, ancestors);
    if (Array.isArray(obj) || (ArrayBuffer.isView(obj) && !(obj instanceof DataView))) {
      const src = obj as ArrayLike<unknown>;
      const out: unknown[] = [];
      for (let i = 0; i < src.length; i++) {
        if (budget.nodes <= 0) {
          out.push('[truncated]');
          break;
        }
        const c = copy(src[i], depth + 1, maxDepth, budget, ancestors);
        out.push(c === undefined ? null : c);
        budget.nodes--;
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(obj)) {
      let v: unknown;
      try {
        v = (obj as Record<string, unknown>)[key];
      } catch {
        v = '[unreadable]';
      }
      const c = copy(v, depth + 1, maxDepth, budget, ancestors);
      if (c !== undefined) out[key] = c;
    }
    return out;
  } catch {
    return '[unreadable]';
  } finally {
    ancestors.delete(obj);
  }
}
