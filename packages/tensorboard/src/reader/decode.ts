/**
 * Decodes Event protos into typed values (scalars, histograms, images, text, hparams, other tensors).
 * protobufjs parses the bytes with our proto/tensorboard.proto; this module gives them meaning.
 */
import { tensorboardType } from '../proto/protobufjs.js';

export type HparamsContent =
  | { kind: 'session_start'; hparams: Record<string, string | number | boolean | null>; groupName: string; startTimeSecs: number }
  | { kind: 'session_end'; status: number; endTimeSecs: number }
  | { kind: 'experiment'; hparams: { name: string; type: number }[]; metrics: { group: string; tag: string }[] }
  | { kind: 'unknown' };

export type DecodedValue =
  | { kind: 'scalar'; tag: string; value: number }
  | {
      kind: 'histogram';
      tag: string;
      min: number;
      max: number;
      num: number;
      sum: number;
      sumSquares: number;
      bucketLimits: number[];
      bucketCounts: number[];
    }
  | { kind: 'image'; tag: string; width: number; height: number; colorspace: number; encoded: Uint8Array }
  | { kind: 'text'; tag: string; text: string }
  | { kind: 'hparams'; tag: string; content: HparamsContent }
  | { kind: 'tensor'; tag: string; pluginName: string; dtype: number; shape: number[] }
  | { kind: 'other'; tag: string };

export interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  sourceWriter?: string;
  /** A SessionLog START (a restart marker): TensorBoard's Python loaders drop earlier points at or above `step`. */
  sessionStart?: true;
  values: DecodedValue[];
}

/**
 * A message as protobufjs decodes it: fields by their .proto names; unset fields read their defaults
 * from the prototype (so presence is `own`); int64 values may be Longs (`num` converts).
 */
type Msg = { [field: string]: unknown };

function decodeAs(type: string, bytes: Uint8Array): Msg {
  return tensorboardType(type).decode(bytes) as unknown as Msg;
}

const own = (m: Msg, field: string): boolean => Object.hasOwn(m, field);
const num = (x: unknown): number =>
  typeof x === 'number' ? x : x !== null && typeof x === 'object' && 'toNumber' in x ? (x as { toNumber(): number }).toNumber() : 0;
const str = (x: unknown): string => (typeof x === 'string' ? x : '');
const msg = (x: unknown): Msg | undefined => (x !== null && typeof x === 'object' ? (x as Msg) : undefined);
const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const bytesOf = (x: unknown): Uint8Array | undefined => (x instanceof Uint8Array ? x : undefined);

interface RawTensor {
  dtype: number;
  shape: number[];
  content?: Uint8Array;
  floats: number[];
  doubles: number[];
  strings: Uint8Array[];
}

const utf8 = new TextDecoder();

/**
 * Per-file decoder state: TensorBoard keeps the first metadata seen per tag, and later values of the
 * tag are interpreted with it.
 */
export class EventDecoder {
  private readonly plugins = new Map<string, { name: string; content?: Uint8Array }>();

  /** Throws (a protobufjs error) when `data` is not an Event. */
  decode(data: Uint8Array): DecodedEvent {
    const e = decodeAs('Event', data);
    const ev: DecodedEvent = { wallTime: num(e.wall_time), step: num(e.step), values: [] };
    if (own(e, 'file_version')) ev.fileVersion = str(e.file_version);
    const source = msg(e.source_metadata);
    if (source && own(source, 'writer')) ev.sourceWriter = str(source.writer);
    if (num(msg(e.session_log)?.status) === 1) ev.sessionStart = true;
    for (const v of list(msg(e.summary)?.value)) ev.values.push(this.value(msg(v) ?? {}));
    return ev;
  }

  private value(v: Msg): DecodedValue {
    const tag = str(v.tag);
    const pluginData = msg(msg(v.metadata)?.plugin_data);
    const pluginContent = pluginData && own(pluginData, 'content') ? bytesOf(pluginData.content) : undefined;
    if (pluginData && !this.plugins.has(tag)) this.plugins.set(tag, { name: str(pluginData.plugin_name), content: pluginContent });
    const plugin = this.plugins.get(tag);
    if (own(v, 'simple_value')) return { kind: 'scalar', tag, value: num(v.simple_value) };
    const histo = msg(v.histo);
    if (histo) {
      return {
        kind: 'histogram',
        tag,
        min: num(histo.min),
        max: num(histo.max),
        num: num(histo.num),
        sum: num(histo.sum),
        sumSquares: num(histo.sum_squares),
        bucketLimits: own(histo, 'bucket_limit') ? (histo.bucket_limit as number[]) : [],
        bucketCounts: own(histo, 'bucket') ? (histo.bucket as number[]) : [],
      };
    }
    const image = msg(v.image);
    if (image) {
      return {
        kind: 'image',
        tag,
        width: num(image.width),
        height: num(image.height),
        colorspace: num(image.colorspace),
        encoded: bytesOf(image.encoded_image_string) ?? new Uint8Array(0),
      };
    }
    if (plugin?.name === 'hparams') return { kind: 'hparams', tag, content: decodeHparams(pluginContent ?? plugin.content) };
    const tensor = msg(v.tensor);
    if (tensor) {
      const t = rawTensor(tensor);
      if (plugin?.name === 'scalars') {
        const x = tensorNumbers(t)[0];
        if (x !== undefined) return { kind: 'scalar', tag, value: x };
      }
      if (plugin?.name === 'text' && t.dtype === 7) return { kind: 'text', tag, text: t.strings.map((s) => utf8.decode(s)).join('\n') };
      if (plugin?.name === 'histograms' && t.shape.length === 2 && t.shape[1] === 3) {
        const xs = tensorNumbers(t);
        const rows = xs.length / 3;
        const limits: number[] = [];
        const counts: number[] = [];
        let total = 0;
        for (let i = 0; i < rows; i++) {
          limits.push(xs[i * 3 + 1]!);
          counts.push(xs[i * 3 + 2]!);
          total += xs[i * 3 + 2]!;
        }
        return {
          kind: 'histogram',
          tag,
          min: rows ? xs[0]! : 0,
          max: rows ? xs[rows * 3 - 2]! : 0,
          num: total,
          sum: NaN,
          sumSquares: NaN,
          bucketLimits: limits,
          bucketCounts: counts,
        };
      }
      return { kind: 'tensor', tag, pluginName: plugin?.name ?? '', dtype: t.dtype, shape: t.shape };
    }
    return { kind: 'other', tag };
  }
}

function rawTensor(t: Msg): RawTensor {
  return {
    dtype: num(t.dtype),
    shape: list(msg(t.tensor_shape)?.dim).map((d) => num(msg(d)?.size)),
    content: own(t, 'tensor_content') ? bytesOf(t.tensor_content) : undefined,
    floats: list(t.float_val) as number[],
    doubles: list(t.double_val) as number[],
    strings: list(t.string_val).map((s) => bytesOf(s) ?? new Uint8Array(0)),
  };
}

function tensorNumbers(t: RawTensor): number[] {
  if (t.floats.length) return t.floats;
  if (t.doubles.length) return t.doubles;
  const c = t.content;
  if (!c) return [];
  const view = new DataView(c.buffer, c.byteOffset, c.byteLength);
  const out: number[] = [];
  if (t.dtype === 1) for (let i = 0; i + 4 <= c.length; i += 4) out.push(view.getFloat32(i, true));
  else if (t.dtype === 2) for (let i = 0; i + 8 <= c.length; i += 8) out.push(view.getFloat64(i, true));
  return out;
}

function hparamValue(v: Msg | undefined): string | number | boolean | null {
  if (!v) return null;
  if (own(v, 'number_value')) return num(v.number_value);
  if (own(v, 'string_value')) return str(v.string_value);
  if (own(v, 'bool_value')) return v.bool_value === true;
  return null;
}

/** The hparams plugin content (HParamsPluginData); throws (a protobufjs error) on bytes that are not one. */
export function decodeHparams(content: Uint8Array | undefined): HparamsContent {
  if (!content) return { kind: 'unknown' };
  const d = decodeAs('HParamsPluginData', content);
  const start = msg(d.session_start_info);
  if (start) {
    const hparams: Record<string, string | number | boolean | null> = {};
    for (const e of list(start.hparams)) hparams[str(msg(e)?.key)] = hparamValue(msg(msg(e)?.value));
    return { kind: 'session_start', hparams, groupName: str(start.group_name), startTimeSecs: num(start.start_time_secs) };
  }
  const end = msg(d.session_end_info);
  if (end) return { kind: 'session_end', status: num(end.status), endTimeSecs: num(end.end_time_secs) };
  const exp = msg(d.experiment);
  if (exp) {
    return {
      kind: 'experiment',
      hparams: list(exp.hparam_infos).map((h) => ({ name: str(msg(h)?.name), type: num(msg(h)?.type) })),
      metrics: list(exp.metric_infos).map((m) => ({ group: str(msg(msg(m)?.name)?.group), tag: str(msg(msg(m)?.name)?.tag) })),
    };
  }
  return { kind: 'unknown' };
}
