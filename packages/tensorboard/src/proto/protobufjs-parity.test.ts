/**
 * The hand-written encoders (the fast path) against protobufjs with proto/tensorboard.proto: for random
 * scalars, histograms, images, text, hparams and first events, the bytes the writer emits are exactly
 * the bytes protobufjs encodes for the same message.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventFileWriter } from '../writer/event-file-writer.js';
import {
  encodeFileVersionEvent,
  encodeSessionStartEvent,
  encodeSummaryEvent,
  FILE_VERSION,
  hparamsExperiment,
  hparamsSessionEnd,
  hparamsSessionStart,
  SCALARS_METADATA,
  TEXT_METADATA,
  valueHistogram,
  valueImage,
  valuePluginOnly,
  valueSimple,
  valueTensorScalar,
  valueText,
  type HparamValue,
  type PluginMetadata,
} from './messages.js';
import { tensorboardType } from './protobufjs.js';

const Event = tensorboardType('Event');
const SummaryValue = tensorboardType('SummaryValue');
const HParamsPluginData = tensorboardType('HParamsPluginData');

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const pbjs = (type: typeof Event, message: object) => hex(type.encode(message).finish());

// Well-formed text (no lone surrogates: TextEncoder and protobufjs disagree on those by design).
const text = fc.string({ unit: 'binary', maxLength: 40 });
const tag = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
const step = fc.oneof(fc.constant(0), fc.nat(200), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const wallSecs = fc.oneof(fc.constantFrom(0, -0), fc.double({ noNaN: true, noDefaultInfinity: true }));
const metadata: fc.Arbitrary<PluginMetadata | undefined> = fc.option(
  fc.record(
    {
      pluginName: fc.constantFrom('scalars', 'text', 'histograms', 'images', 'x'),
      content: fc.uint8Array({ maxLength: 20 }),
      dataClass: fc.integer({ min: 0, max: 3 }),
      displayName: text,
      description: text,
    },
    { requiredKeys: ['pluginName'] },
  ),
  { nil: undefined },
);

// protobufjs omits proto3 defaults (0, '', empty bytes) itself: the objects below are the plain messages.
function metadataObject(md: PluginMetadata): object {
  return {
    plugin_data: { plugin_name: md.pluginName, content: md.content },
    display_name: md.displayName,
    summary_description: md.description,
    data_class: md.dataClass,
  };
}
const withMetadata = (md: PluginMetadata | undefined) => (md ? { metadata: metadataObject(md) } : {});

/** The data of each TFRecord in `bytes` (8-byte length, 4-byte CRC, data, 4-byte CRC). */
function recordData(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let p = 0; p < bytes.length; ) {
    const len = Number(view.getBigUint64(p, true));
    out.push(bytes.subarray(p + 12, p + 12 + len));
    p += 12 + len + 4;
  }
  return out;
}

describe('TensorBoard hand-written encoders = protobufjs (proto/tensorboard.proto)', () => {
  it('first events (file_version, source_metadata)', () => {
    fc.assert(
      fc.property(wallSecs, fc.option(text, { nil: undefined }), (secs, writer) => {
        const expected = { wall_time: secs, file_version: FILE_VERSION, ...(writer ? { source_metadata: { writer } } : {}) };
        expect(hex(encodeFileVersionEvent(secs, writer))).toBe(pbjs(Event, expected));
      }),
    );
  });

  it('restart marker: session_log START at a step', () => {
    fc.assert(
      fc.property(wallSecs, step, (secs, s) => {
        expect(hex(encodeSessionStartEvent(secs, s))).toBe(pbjs(Event, { wall_time: secs, step: s, session_log: { status: 1 } }));
      }),
    );
  });

  it('scalars: legacy simple_value and v2 tensor, with or without metadata', () => {
    fc.assert(
      fc.property(tag, fc.double(), metadata, (t, x, md) => {
        expect(hex(valueSimple(t, x, md))).toBe(pbjs(SummaryValue, { tag: t, simple_value: x, ...withMetadata(md) }));
        expect(hex(valueTensorScalar(t, x, md))).toBe(pbjs(SummaryValue, { tag: t, tensor: { dtype: 1, float_val: [x] }, ...withMetadata(md) }));
      }),
    );
  });

  it('scalar events from the hot path (appendScalar) in both scalar formats', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('simple' as const, 'tensor' as const),
        tag,
        fc.array(fc.tuple(step, wallSecs, fc.double()), { minLength: 1, maxLength: 5 }),
        (format, t, points) => {
          const w = new EventFileWriter('/nonexistent', { scalarFormat: format });
          points.forEach(([s, secs, x]) => w.appendScalar(t, s, secs, x));
          const events = recordData(w.pendingCopy());
          expect(events.length).toBe(points.length);
          points.forEach(([s, secs, x], i) => {
            const value =
              format === 'simple'
                ? { tag: t, simple_value: x }
                : { tag: t, tensor: { dtype: 1, float_val: [x] }, ...(i === 0 ? withMetadata(SCALARS_METADATA) : {}) };
            expect(hex(events[i]!)).toBe(pbjs(Event, { wall_time: secs, step: s, summary: { value: [value] } }));
          });
        },
      ),
    );
  });

  it('summary events holding several values', () => {
    fc.assert(
      fc.property(wallSecs, step, fc.array(fc.tuple(tag, fc.double()), { maxLength: 4 }), (secs, s, values) => {
        const encoded = values.map(([t, x]) => valueSimple(t, x));
        const expected = { wall_time: secs, step: s, summary: { value: values.map(([t, x]) => ({ tag: t, simple_value: x })) } };
        expect(hex(encodeSummaryEvent(secs, s, encoded))).toBe(pbjs(Event, expected));
      }),
    );
  });

  it('histograms', () => {
    const doubles = fc.array(fc.double(), { maxLength: 30 });
    fc.assert(
      fc.property(
        tag,
        fc.double(),
        fc.double(),
        fc.double(),
        fc.double(),
        fc.double(),
        doubles,
        doubles,
        metadata,
        (t, min, max, num, sum, sumSquares, bucketLimits, bucketCounts, md) => {
          const h = { min, max, num, sum, sumSquares, bucketLimits, bucketCounts };
          const histo = { min, max, num, sum, sum_squares: sumSquares, bucket_limit: bucketLimits, bucket: bucketCounts };
          expect(hex(valueHistogram(t, h, md))).toBe(pbjs(SummaryValue, { tag: t, histo, ...withMetadata(md) }));
        },
      ),
    );
  });

  it('images', () => {
    const dim = fc.oneof(fc.nat(4096), fc.integer({ min: 0, max: 2 ** 31 - 1 }));
    fc.assert(
      fc.property(tag, dim, dim, fc.integer({ min: 0, max: 4 }), fc.uint8Array({ maxLength: 300 }), metadata, (t, width, height, colorspace, encoded, md) => {
        const image = { height, width, colorspace, encoded_image_string: encoded };
        expect(hex(valueImage(t, { width, height, colorspace, encoded }, md))).toBe(pbjs(SummaryValue, { tag: t, image, ...withMetadata(md) }));
      }),
    );
  });

  it('text', () => {
    fc.assert(
      fc.property(tag, fc.string({ unit: 'binary', maxLength: 300 }), fc.boolean(), (t, s, first) => {
        const md = first ? TEXT_METADATA : undefined;
        const expected = { tag: t, tensor: { dtype: 7, string_val: [Buffer.from(s, 'utf8')] }, ...withMetadata(md) };
        expect(hex(valueText(t, s, md))).toBe(pbjs(SummaryValue, expected));
      }),
    );
  });

  it('hparams: experiment, session start and end, as plugin-only values', () => {
    const params = fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.oneof(fc.double(), fc.boolean(), text) as fc.Arbitrary<HparamValue>, {
      maxKeys: 6,
    });
    const asValue = (v: HparamValue) => (typeof v === 'number' ? { number_value: v } : typeof v === 'boolean' ? { bool_value: v } : { string_value: v });
    const typeOf = (v: HparamValue) => (typeof v === 'number' ? 3 : typeof v === 'boolean' ? 2 : 1);
    fc.assert(
      fc.property(params, fc.array(text, { maxLength: 4 }), wallSecs, text, fc.integer({ min: 0, max: 3 }), (p, metrics, secs, group, status) => {
        const keys = Object.keys(p);
        expect(hex(hparamsExperiment(p, metrics, secs))).toBe(
          pbjs(HParamsPluginData, {
            experiment: {
              time_created_secs: secs,
              hparam_infos: keys.map((k) => ({ name: k, type: typeOf(p[k]!) })),
              metric_infos: metrics.map((m) => ({ name: { tag: m } })),
            },
          }),
        );
        expect(hex(hparamsSessionStart(p, secs, group))).toBe(
          pbjs(HParamsPluginData, {
            session_start_info: { hparams: keys.map((k) => ({ key: k, value: asValue(p[k]!) })), group_name: group, start_time_secs: secs },
          }),
        );
        expect(hex(hparamsSessionEnd(status, secs))).toBe(pbjs(HParamsPluginData, { session_end_info: { status, end_time_secs: secs } }));
        const content = hparamsSessionEnd(status, secs);
        expect(hex(valuePluginOnly('_hparams_/session_end_info', { pluginName: 'hparams', content }))).toBe(
          pbjs(SummaryValue, {
            tag: '_hparams_/session_end_info',
            tensor: { dtype: 1, tensor_shape: { dim: [{}] } },
            metadata: { plugin_data: { plugin_name: 'hparams', content } },
          }),
        );
      }),
    );
  });
});
