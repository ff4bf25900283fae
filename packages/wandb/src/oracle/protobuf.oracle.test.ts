import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureVenv, runPython } from '@metrics/oracle';
import { createLogger } from '@metrics/core';
import { createWandbTracker } from '../exporter.js';
import { itemsToObject, readWandbFile } from '../log/records.js';

/**
 * A second, independent reader: Python frames the file itself (zlib.crc32 over type + payload) and
 * parses each record with the real `wandb.proto.wandb_internal_pb2.Record` of the pinned wandb.
 */
const PY_READER = `
import json, struct, sys, zlib
from google.protobuf.json_format import MessageToDict
from wandb.proto import wandb_internal_pb2 as pb
data = open(sys.argv[1], "rb").read()
assert data[:7] == bytes.fromhex("3a572642e1be00"), "header"
pos, parts, out = 7, None, []
while pos < len(data):
    left = 32768 - pos % 32768
    if left < 7:
        assert data[pos:pos+left] == b"\\0" * left
        pos += left
        continue
    crc, n, t = struct.unpack("<IHB", data[pos:pos+7])
    payload = data[pos+7:pos+7+n]
    assert zlib.crc32(bytes([t]) + payload) == crc, "crc at %d" % pos
    pos += 7 + n
    if t == 1: parts = [payload]
    elif t == 2: parts = [payload]; continue
    elif t == 3: parts.append(payload); continue
    else: parts.append(payload)
    rec = pb.Record()
    rec.ParseFromString(b"".join(parts))
    kind = rec.WhichOneof("record_type")
    out.append({"num": rec.num, "type": kind, "data": MessageToDict(getattr(rec, kind), preserving_proto_field_name=True)})
print(json.dumps(out))
`;

// The real tools' virtualenv is built (minutes, first use only) in a hook with a long timeout; the tests fail loudly without it.
beforeAll(() => ensureVenv(), 900_000);

describe('our records parse with the real wandb protobuf classes (wandb_internal_pb2)', () => {
  it('every record has the right oneof and the fields we wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-pb-'));
    const t = createWandbTracker({
      mode: 'offline',
      dir,
      env: {},
      runId: 'pbrun01',
      experiment: 'pb',
      runName: 'pb run',
      handleExit: false,
      logger: createLogger({ level: 'silent' }),
    });
    t.logConfig({ lr: 0.2, text: 'ü'.repeat(40_000) });
    for (let s = 0; s < 50; s++) t.log({ 'training/loss': 1 / (s + 1), 'system/gpu': s }, { step: s });
    await t.close({ status: 'failed', exitCode: 5 });
    const ours = readWandbFile(join(dir, 'wandb', 'latest-run', 'run-pbrun01.wandb'));
    const py = await runPython<{ num: number; type: string; data: Record<string, unknown> }[]>(PY_READER, {
      args: [join(dir, 'wandb', 'latest-run', 'run-pbrun01.wandb')],
      timeoutMs: 120_000,
    });
    expect(py.map((r) => [Number(r.num), r.type])).toEqual(ours.records.map((r) => [r.num, r.type]));
    const run = py.find((r) => r.type === 'run')!.data;
    expect(run).toMatchObject({ run_id: 'pbrun01', project: 'pb', display_name: 'pb run' });
    const exit = py.find((r) => r.type === 'exit')!.data;
    expect(exit.exit_code).toBe(5);
    const pyRows = py
      .filter((r) => r.type === 'history')
      .map((r) => Object.fromEntries((r.data.item as { key: string; value_json: string }[]).map((i) => [i.key, JSON.parse(i.value_json)])));
    const ourRows = ours.records.filter((r) => r.type === 'history').map((r) => itemsToObject(r.data.item));
    expect(pyRows).toEqual(ourRows);
    expect(pyRows.map((r) => r['training/loss'])).toEqual(Array.from({ length: 50 }, (_, s) => 1 / (s + 1)));
    const stats = py.filter((r) => r.type === 'stats');
    expect(stats).toHaveLength(50);
    const cfg = py.find((r) => r.type === 'config')!.data.update as { key: string; value_json: string }[];
    expect(JSON.parse(cfg.find((i) => i.key === 'text')!.value_json)).toBe('ü'.repeat(40_000));
  }, 300_000);
});
