/**
 * Distinctive credentials and a binary-safe scanner that looks for them in text, buffers and whole
 * directory trees — raw, URL-encoded, and base64-encoded at every byte alignment (so a secret inside a
 * larger base64 blob, like a Basic auth header or a `$b64` spool field, is found too).
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Unique per run, so a hit can only come from this run. */
export function makeSecrets() {
  const tag = Math.random().toString(36).slice(2, 10).toUpperCase();
  return {
    mlflowToken: `MLTOKEN${tag}q7w8e9r0t1y2u3i4o5p6`,
    mlflowUser: `reliability-user-${tag.toLowerCase()}`,
    // Characters that URL- and base64-encoding change.
    mlflowPassword: `MLPASS${tag}:p@ss/w+rd=Z9x8c7v6b5`,
    wandbKey: `wk${tag.toLowerCase()}${'0123456789abcdef'.repeat(2)}`.slice(0, 40),
  };
}

export type Secrets = ReturnType<typeof makeSecrets>;

export interface Needle {
  label: string;
  bytes: Buffer;
}

/** The base64 characters that depend only on `secret`, for each of the 3 alignments it can have in a blob. */
function base64Cores(secret: Buffer): string[] {
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k), secret]).toString('base64');
    const core = b64.slice(k === 0 ? 0 : 4, b64.length - 4);
    if (core.length >= 12) out.push(core);
  }
  return out;
}

/** Every form in which one of the credentials could leak. */
export function needlesFor(s: Secrets): Needle[] {
  const raw: [string, string][] = [
    ['MLFLOW_TRACKING_TOKEN', s.mlflowToken],
    ['MLFLOW_TRACKING_PASSWORD', s.mlflowPassword],
    ['WANDB_API_KEY', s.wandbKey],
    ['base64(user:password)', Buffer.from(`${s.mlflowUser}:${s.mlflowPassword}`).toString('base64')],
    ['base64(api:key)', Buffer.from(`api:${s.wandbKey}`).toString('base64')],
  ];
  const needles: Needle[] = raw.map(([label, v]) => ({ label, bytes: Buffer.from(v) }));
  for (const [label, v] of raw.slice(0, 3)) {
    needles.push({ label: `${label} (URL-encoded)`, bytes: Buffer.from(encodeURIComponent(v)) });
    needles.push({ label: `${label} (JSON-escaped)`, bytes: Buffer.from(JSON.stringify(v).slice(1, -1)) });
    for (const core of base64Cores(Buffer.from(v))) needles.push({ label: `${label} (base64)`, bytes: Buffer.from(core) });
  }
  for (const core of base64Cores(Buffer.from(`${s.mlflowUser}:${s.mlflowPassword}`)))
    needles.push({ label: 'user:password (base64, any alignment)', bytes: Buffer.from(core) });
  for (const core of base64Cores(Buffer.from(`api:${s.wandbKey}`))) needles.push({ label: 'api:key (base64, any alignment)', bytes: Buffer.from(core) });
  return dedupe(needles);
}

function dedupe(needles: Needle[]): Needle[] {
  const seen = new Set<string>();
  return needles.filter((n) => !seen.has(n.bytes.toString('latin1')) && seen.add(n.bytes.toString('latin1')));
}

/** Labels of the needles found in `haystack`. */
export function findSecrets(haystack: string | Uint8Array, needles: readonly Needle[]): string[] {
  const buf = typeof haystack === 'string' ? Buffer.from(haystack) : Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength);
  return needles.filter((n) => buf.includes(n.bytes)).map((n) => n.label);
}

export interface TreeScan {
  files: number;
  bytes: number;
  /** `<file>: <label>` for each hit. */
  hits: string[];
}

/** Reads every regular file under `dir` (recursively, symlinks not followed) and looks for the needles. */
export function scanTree(dir: string, needles: readonly Needle[]): TreeScan {
  const scan: TreeScan = { files: 0, bytes: 0, hits: [] };
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(d, name);
      const st = lstatSync(path);
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) {
        const bytes = readFileSync(path);
        scan.files++;
        scan.bytes += bytes.length;
        for (const label of findSecrets(bytes, needles)) scan.hits.push(`${path}: ${label}`);
      }
    }
    // File and directory names can leak too.
    for (const label of findSecrets(names.join('\n'), needles)) scan.hits.push(`${d} (a name in it): ${label}`);
  };
  walk(dir);
  return scan;
}
