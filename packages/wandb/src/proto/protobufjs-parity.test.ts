/**
 * The hand-written record encoders (the fast path) against protobufjs with proto/wandb.proto: for
 * random records of every type the writer emits, the bytes are exactly what protobufjs encodes for the
 * same message. (The history hot path, encodeHistoryRow, is proven equal to encodeHistory in
 * history-row.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  encodeConfig,
  encodeExit,
  encodeFiles,
  encodeFinal,
  encodeHeader,
  encodeHistory,
  encodeMetric,
  encodeOutputRaw,
  encodeRun,
  encodeStats,
  encodeSummary,
  type JsonItem,
} from './records.js';
import { ProtoWriter } from './writer.js';
import { encodeArtifact } from './artifact-record.js';
import { wandbType } from './protobufjs.js';

const Record = wandbType('Record');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const pbjs = (message: object) => hex(Record.encode(message).finish());
function ours(encode: (w: ProtoWriter) => void): string {
  const w = new ProtoWriter(16);
  encode(w);
  return hex(w.finish());
}

// Well-formed text (no lone surrogates: Buffer and protobufjs disagree on those by design).
const text = fc.string({ unit: 'binary', maxLength: 30 });
const num = fc.oneof(fc.nat(1000), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const timeMs = fc.oneof(fc.integer({ min: 0, max: 2 ** 42 }), fc.integer({ min: -(2 ** 40), max: 2 ** 42 }));
const item: fc.Arbitrary<JsonItem> = fc.oneof(
  fc.record({ key: fc.oneof(text, fc.constantFrom('_step', '_runtime', 'train/loss')), valueJson: text }),
  fc.record({ key: fc.constant(''), nestedKey: fc.array(text, { minLength: 1, maxLength: 3 }), valueJson: text }),
);
const items = fc.array(item, { maxLength: 6 });
const asItem = (it: JsonItem) => (it.nestedKey ? { nested_key: [...it.nestedKey], value_json: it.valueJson } : { key: it.key, value_json: it.valueJson });
const timestamp = (ms: number) => {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
};

describe('W&B hand-written record encoders = protobufjs (proto/wandb.proto)', () => {
  it('header, final and exit', () => {
    fc.assert(
      fc.property(num, fc.option(text, { nil: undefined }), int32, int32, (n, producer, code, runtime) => {
        const versionInfo = producer ? { version_info: { producer, min_consumer: '0.40.0' } } : {};
        expect(ours((w) => encodeHeader(w, n, producer))).toBe(pbjs({ num: n, header: versionInfo }));
        expect(ours((w) => encodeFinal(w, n))).toBe(pbjs({ num: n, final: {} }));
        expect(ours((w) => encodeExit(w, n, code, runtime))).toBe(pbjs({ num: n, exit: { exit_code: code, runtime } }));
      }),
    );
  });

  it('run records', () => {
    const run = fc.record(
      {
        runId: text,
        entity: text,
        project: text,
        config: items,
        group: text,
        jobType: text,
        displayName: text,
        notes: text,
        tags: fc.array(text, { maxLength: 4 }),
        host: text,
        startingStep: num,
        startTime: timeMs,
        resumed: fc.boolean(),
      },
      { requiredKeys: ['runId', 'startTime'] },
    );
    fc.assert(
      fc.property(num, run, (n, r) => {
        const expected = {
          num: n,
          run: {
            run_id: r.runId,
            entity: r.entity,
            project: r.project,
            ...(r.config && r.config.length > 0 ? { config: { update: r.config.map(asItem) } } : {}),
            run_group: r.group,
            job_type: r.jobType,
            display_name: r.displayName,
            notes: r.notes,
            tags: r.tags,
            host: r.host,
            starting_step: r.startingStep,
            start_time: timestamp(r.startTime),
            resumed: r.resumed,
          },
        };
        expect(ours((w) => encodeRun(w, n, r))).toBe(pbjs(expected));
      }),
    );
  });

  it('history, summary, config and stats records', () => {
    fc.assert(
      fc.property(num, fc.oneof(num, fc.constant(0)), items, timeMs, (n, step, list, ms) => {
        const update = list.map(asItem);
        expect(ours((w) => encodeHistory(w, n, step, list))).toBe(pbjs({ num: n, history: { item: update, step: { num: step } } }));
        expect(ours((w) => encodeSummary(w, n, list))).toBe(pbjs({ num: n, summary: { update } }));
        expect(ours((w) => encodeConfig(w, n, list))).toBe(pbjs({ num: n, config: { update } }));
        expect(ours((w) => encodeStats(w, n, ms, list))).toBe(pbjs({ num: n, stats: { timestamp: timestamp(ms), item: update } }));
      }),
    );
  });

  it('files, console output and metric definitions', () => {
    const file = fc.record({ path: text, policy: fc.integer({ min: 0, max: 2 }), type: fc.integer({ min: 0, max: 3 }) });
    const metric = fc.record({ name: text, globName: text, stepMetric: text, stepSync: fc.boolean() }, { requiredKeys: [] });
    fc.assert(
      fc.property(num, fc.array(file, { maxLength: 4 }), fc.constantFrom(0 as const, 1 as const), timeMs, text, metric, (n, files, stream, ms, line, def) => {
        expect(ours((w) => encodeFiles(w, n, files))).toBe(pbjs({ num: n, files: { files } }));
        expect(ours((w) => encodeOutputRaw(w, n, stream, ms, line))).toBe(
          pbjs({ num: n, output_raw: { output_type: stream, timestamp: timestamp(ms), line } }),
        );
        const expected = { name: def.name, glob_name: def.globName, step_metric: def.stepMetric, options: { step_sync: def.stepSync, defined: true } };
        expect(ours((w) => encodeMetric(w, n, def))).toBe(pbjs({ num: n, metric: expected }));
      }),
    );
  });
});

describe('the artifact record encoder = protobufjs', () => {
  it('artifact', () => {
    const entry = fc.record({ path: text, localPath: text, size: fc.nat(2 ** 40), digest: text, ref: fc.option(text, { nil: undefined }) });
    const artifact = fc.record({
      name: text,
      type: text,
      aliases: fc.array(text, { maxLength: 3 }),
      digest: text,
      entries: fc.array(entry, { maxLength: 4 }),
      input: fc.boolean(),
      metadata: fc.option(text, { nil: undefined }),
      clientId: text,
      sequenceClientId: text,
    });
    fc.assert(
      fc.property(num, text, text, text, artifact, (n, runId, project, entity, a) => {
        const nonEmpty = <T extends object>(o: T) =>
          Object.fromEntries(Object.entries(o).filter(([, v]) => v !== '' && v !== false && v !== 0 && v !== undefined));
        const expected = {
          num: n,
          artifact: nonEmpty({
            run_id: runId,
            project,
            entity,
            type: a.type,
            name: a.name,
            digest: a.digest,
            metadata: a.metadata ?? '',
            user_created: a.input,
            use_after_commit: a.input,
            aliases: a.aliases,
            manifest: {
              version: 1,
              storage_policy: 'wandb-storage-policy-v1',
              storage_policy_config: [{ key: 'storageLayout', value_json: '"V2"' }],
              contents: a.entries.map((e) => nonEmpty({ path: e.path, digest: e.digest, ref: e.ref ?? '', size: e.size, local_path: e.localPath })),
            },
            finalize: true,
            client_id: a.clientId,
            sequence_client_id: a.sequenceClientId,
            digest_algorithm: 'MANIFEST_MD5',
          }),
        };
        expect(ours((w) => encodeArtifact(w, n, { runId, project, entity }, a))).toBe(pbjs(expected));
      }),
    );
  });
});
