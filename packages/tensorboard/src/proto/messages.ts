/**
 * Encoders for the TensorBoard messages we write, from the field tables in the shared spec
 * (event.proto, summary.proto, tensor.proto, the plugin-data and hparams protos). Our own minimal
 * definitions; names don't matter on the wire, only field numbers and types. Fields are written in
 * field-number order and proto3 defaults are omitted, as protobufjs writes them (proto/tensorboard.proto;
 * protobufjs-parity.test.ts compares).
 */
import { ProtoWriter, WIRE_BYTES } from '@metrics/core/protobuf';

export const FILE_VERSION = 'brain.Event:2';

/** TensorFlow DataType values we use. */
export const DT_FLOAT = 1;
export const DT_DOUBLE = 2;
export const DT_STRING = 7;

/** SummaryMetadata.DataClass */
export const DATA_CLASS_SCALAR = 1;
export const DATA_CLASS_TENSOR = 2;
export const DATA_CLASS_BLOB_SEQUENCE = 3;

/** hparams Status enum. */
export const HPARAMS_STATUS = { unknown: 0, success: 1, failure: 2, running: 3 } as const;
/** hparams DataType enum. */
export const HPARAMS_TYPE = { unset: 0, string: 1, bool: 2, float64: 3 } as const;

// Event fields
const EVENT_WALL_TIME = 1;
const EVENT_STEP = 2;
const EVENT_FILE_VERSION = 3;
const EVENT_SUMMARY = 5;
const EVENT_SESSION_LOG = 7;
const EVENT_SOURCE_METADATA = 10;
/** SessionLog.status value START (field 1 of SessionLog). */
export const SESSION_LOG_START = 1;

export interface PluginMetadata {
  pluginName: string;
  content?: Uint8Array;
  dataClass?: number;
  displayName?: string;
  description?: string;
}

/** The first record of every file: wall time + file_version, and who wrote it. */
export function encodeFileVersionEvent(wallSecs: number, writer?: string): Uint8Array {
  const w = new ProtoWriter(64);
  w.optDouble(EVENT_WALL_TIME, wallSecs).string(EVENT_FILE_VERSION, FILE_VERSION);
  if (writer) w.message(EVENT_SOURCE_METADATA, (m) => m.optString(1, writer));
  return w.finish();
}

/**
 * Event{wall_time, step, session_log{status: START}}: a restart at `step`. TensorBoard's Python loaders then
 * drop every point already read (earlier files of the run) whose step is ≥ `step`; see the README's "Resume".
 */
export function encodeSessionStartEvent(wallSecs: number, step: number): Uint8Array {
  const w = new ProtoWriter(32);
  w.optDouble(EVENT_WALL_TIME, wallSecs).optInt(EVENT_STEP, step);
  w.message(EVENT_SESSION_LOG, (m) => m.optInt(1, SESSION_LOG_START));
  return w.finish();
}

/** Event{wall_time, step, summary{value: [one value]}}; `value` is an encoded Summary.Value. */
export function encodeSummaryEvent(wallSecs: number, step: number, values: readonly Uint8Array[]): Uint8Array {
  const w = new ProtoWriter(64);
  w.optDouble(EVENT_WALL_TIME, wallSecs).optInt(EVENT_STEP, step);
  w.message(EVENT_SUMMARY, (s) => {
    for (const v of values) s.bytes(1, v);
  });
  return w.finish();
}

function writeMetadata(w: ProtoWriter, md: PluginMetadata): void {
  w.message(9, (m) => {
    m.message(1, (p) => {
      p.optString(1, md.pluginName);
      if (md.content) p.optBytes(2, md.content);
    });
    m.optString(2, md.displayName ?? '')
      .optString(3, md.description ?? '')
      .optInt(4, md.dataClass ?? 0);
  });
}

/** Summary.Value with a legacy float32 simple_value (no metadata needed; both loaders show it). */
export function valueSimple(tag: string, value: number, metadata?: PluginMetadata): Uint8Array {
  const w = new ProtoWriter(32);
  w.optString(1, tag).float(2, value);
  if (metadata) writeMetadata(w, metadata);
  return w.finish();
}

/** Summary.Value with a rank-0 DT_FLOAT tensor (v2 scalar); metadata only on a tag's first value in a file. */
export function valueTensorScalar(tag: string, value: number, metadata?: PluginMetadata): Uint8Array {
  const w = new ProtoWriter(32);
  w.optString(1, tag);
  w.message(8, (t) => t.uint(1, DT_FLOAT).tag(5, WIRE_BYTES).varint(4).fixedFloat(value)); // packed float_val [value]
  if (metadata) writeMetadata(w, metadata);
  return w.finish();
}

export interface HistogramData {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimits: ArrayLike<number>;
  bucketCounts: ArrayLike<number>;
}

/** Summary.Value with a legacy HistogramProto (both loaders convert it to [left, right, count] rows). */
export function valueHistogram(tag: string, h: HistogramData, metadata?: PluginMetadata): Uint8Array {
  const w = new ProtoWriter(64 + h.bucketLimits.length * 18);
  w.optString(1, tag);
  w.message(5, (p) => {
    p.optDouble(1, h.min).optDouble(2, h.max).optDouble(3, h.num).optDouble(4, h.sum).optDouble(5, h.sumSquares);
    p.packedDoubles(6, h.bucketLimits).packedDoubles(7, h.bucketCounts);
  });
  if (metadata) writeMetadata(w, metadata);
  return w.finish();
}

export interface ImageData {
  width: number;
  height: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA; 0 = unknown (omitted). */
  colorspace: number;
  encoded: Uint8Array;
}

/** Summary.Value with a legacy Summary.Image (PNG/JPEG bytes). */
export function valueImage(tag: string, img: ImageData, metadata?: PluginMetadata): Uint8Array {
  const w = new ProtoWriter(64 + img.encoded.length);
  w.optString(1, tag);
  w.message(4, (m) => {
    m.optInt(1, img.height).optInt(2, img.width).optInt(3, img.colorspace).optBytes(4, img.encoded);
  });
  if (metadata) writeMetadata(w, metadata);
  return w.finish();
}

/** Summary.Value with a rank-0 DT_STRING tensor (the text plugin renders rank 0 as Markdown). */
export function valueText(tag: string, text: string, metadata?: PluginMetadata): Uint8Array {
  const w = new ProtoWriter(64 + text.length * 3);
  w.optString(1, tag);
  w.message(8, (t) => {
    t.uint(1, DT_STRING);
    t.string(8, text);
  });
  if (metadata) writeMetadata(w, metadata);
  return w.finish();
}

/** Summary.Value carrying plugin content only, with TensorBoard's "null tensor" (DT_FLOAT, shape [0]). */
export function valuePluginOnly(tag: string, metadata: PluginMetadata): Uint8Array {
  const w = new ProtoWriter(64);
  w.optString(1, tag);
  w.message(8, (t) => {
    t.uint(1, DT_FLOAT);
    t.message(2, (shape) => shape.bytes(2, new Uint8Array(0)));
  });
  writeMetadata(w, metadata);
  return w.finish();
}

// ---- plugin contents ----

export const EMPTY = new Uint8Array(0);

export type HparamValue = string | number | boolean;

function writeProtobufValue(w: ProtoWriter, v: HparamValue): void {
  if (typeof v === 'number') w.double(2, v);
  else if (typeof v === 'boolean') w.bool(4, v);
  else w.string(3, v);
}

/** HParamsPluginData{session_start_info{hparams, group_name, start_time_secs}}. */
export function hparamsSessionStart(params: Readonly<Record<string, HparamValue>>, startSecs: number, groupName = ''): Uint8Array {
  const w = new ProtoWriter(128);
  w.message(3, (s) => {
    for (const key of Object.keys(params)) {
      s.message(1, (entry) => {
        entry.optString(1, key);
        entry.message(2, (v) => writeProtobufValue(v, params[key]!));
      });
    }
    s.optString(4, groupName).optDouble(5, startSecs);
  });
  return w.finish();
}

/** HParamsPluginData{session_end_info{status, end_time_secs}}. */
export function hparamsSessionEnd(status: number, endSecs: number): Uint8Array {
  const w = new ProtoWriter(32);
  w.message(4, (s) => {
    s.optInt(1, status).optDouble(2, endSecs);
  });
  return w.finish();
}

/** HParamsPluginData{experiment{hparam_infos, metric_infos, time_created_secs}}. */
export function hparamsExperiment(params: Readonly<Record<string, HparamValue>>, metrics: readonly string[], createdSecs: number): Uint8Array {
  const w = new ProtoWriter(128);
  w.message(2, (e) => {
    e.optDouble(3, createdSecs);
    for (const key of Object.keys(params)) {
      const v = params[key];
      const type = typeof v === 'number' ? HPARAMS_TYPE.float64 : typeof v === 'boolean' ? HPARAMS_TYPE.bool : HPARAMS_TYPE.string;
      e.message(4, (info) => info.optString(1, key).optInt(4, type));
    }
    for (const m of metrics) e.message(5, (info) => info.message(1, (name) => name.optString(2, m)));
  });
  return w.finish();
}

export const SCALARS_METADATA: PluginMetadata = { pluginName: 'scalars', dataClass: DATA_CLASS_SCALAR };
export const TEXT_METADATA: PluginMetadata = { pluginName: 'text', dataClass: DATA_CLASS_TENSOR };
export const HPARAMS_TAGS = {
  experiment: '_hparams_/experiment',
  sessionStart: '_hparams_/session_start_info',
  sessionEnd: '_hparams_/session_end_info',
} as const;

/** The six rows of a PR-curve tensor, in the order TensorBoard's pr_curves plugin reads them. */
export interface PrCurveRows {
  truePositives: ArrayLike<number>;
  falsePositives: ArrayLike<number>;
  trueNegatives: ArrayLike<number>;
  falseNegatives: ArrayLike<number>;
  precision: ArrayLike<number>;
  recall: ArrayLike<number>;
}

/** Summary.Value with a DT_FLOAT tensor [6, thresholds] (rows TP, FP, TN, FN, precision, recall). */
export function valuePrCurve(tag: string, rows: PrCurveRows, metadata?: PluginMetadata): Uint8Array {
  const n = rows.precision.length;
  const flat = new Float64Array(6 * n);
  [rows.truePositives, rows.falsePositives, rows.trueNegatives, rows.falseNegatives, rows.precision, rows.recall].forEach((row, i) => {
    for (let j = 0; j < n; j++) flat[i * n + j] = row[j]!;
  });
  const w = new ProtoWriter(64 + flat.length * 4);
  w.optString(1, tag);
  w.message(8, (t) => {
    t.uint(1, DT_FLOAT);
    t.message(2, (shape) => {
      shape.message(2, (d) => d.optInt(1, 6));
      shape.message(2, (d) => d.optInt(1, n));
    });
    t.packedFloats(5, flat);
  });
  if (metadata) writeMetadata(w, metadata);
  return w.finish();
}

/** PrCurvePluginData{num_thresholds}. */
export function prCurveMetadata(numThresholds: number): PluginMetadata {
  const content = new ProtoWriter(8).optInt(2, numThresholds).finish();
  return { pluginName: 'pr_curves', content, dataClass: DATA_CLASS_TENSOR };
}

/**
 * Summary.Value with the audio plugin's tensor: DT_STRING [1, 2] of [WAV bytes, Markdown label]. The data
 * class stays unknown, as TensorBoard's own audio summaries leave it: its readers then keep the clip column.
 */
export function valueAudio(tag: string, wav: Uint8Array, label: string, metadata?: PluginMetadata): Uint8Array {
  const w = new ProtoWriter(64 + wav.length + label.length * 3);
  w.optString(1, tag);
  w.message(8, (t) => {
    t.uint(1, DT_STRING);
    t.message(2, (shape) => {
      shape.message(2, (d) => d.optInt(1, 1));
      shape.message(2, (d) => d.optInt(1, 2));
    });
    t.bytes(8, wav);
    t.bytes(8, Buffer.from(label, 'utf8'));
  });
  if (metadata) writeMetadata(w, metadata);
  return w.finish();
}

/** AudioPluginData{encoding: WAV}. */
export const AUDIO_METADATA: PluginMetadata = { pluginName: 'audio', content: new ProtoWriter(4).optInt(2, 11).finish() };
