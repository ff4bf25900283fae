/** Decodes Event protos into typed values (scalars, histograms, images, text, hparams, other tensors). */
import { ProtoReader } from '@metrics/core/protobuf';

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
  values: DecodedValue[];
}

interface RawTensor {
  dtype: number;
  shape: number[];
  content?: Uint8Array;
  floats: number[];
  doubles: number[];
  strings: Uint8Array[];
}

interface RawValue {
  tag: string;
  pluginName?: string;
  pluginContent?: Uint8Array;
  simple?: number;
  histo?: Omit<Extract<DecodedValue, { kind: 'histogram' }>, 'kind' | 'tag'>;
  image?: { width: number; height: number; colorspace: number; encoded: Uint8Array };
  tensor?: RawTensor;
}

const utf8 = new TextDecoder();

/**
 * Per-file decoder state: TensorBoard keeps the first metadata seen per tag, and later values of the
 * tag are interpreted with it.
 */
export class EventDecoder {
  private readonly plugins = new Map<string, { name: string; content?: Uint8Array }>();

  decode(data: Uint8Array): DecodedEvent {
    const r = new ProtoReader(data);
    const ev: DecodedEvent = { wallTime: 0, step: 0, values: [] };
    while (!r.done) {
      const { field, wire } = r.tag();
      if (field === 1 && wire === 1) ev.wallTime = r.double();
      else if (field === 2 && wire === 0) ev.step = r.varint();
      else if (field === 3 && wire === 2) ev.fileVersion = r.string();
      else if (field === 5 && wire === 2) this.summary(r.sub(), ev.values);
      else if (field === 10 && wire === 2) {
        const s = r.sub();
        while (!s.done) {
          const t = s.tag();
          if (t.field === 1 && t.wire === 2) ev.sourceWriter = s.string();
          else s.skip(t.wire);
        }
      } else r.skip(wire);
    }
    return ev;
  }

  private summary(r: ProtoReader, out: DecodedValue[]): void {
    while (!r.done) {
      const { field, wire } = r.tag();
      if (field === 1 && wire === 2) out.push(this.value(r.sub()));
      else r.skip(wire);
    }
  }

  private value(r: ProtoReader): DecodedValue {
    const v: RawValue = { tag: '' };
    while (!r.done) {
      const { field, wire } = r.tag();
      if (field === 1 && wire === 2) v.tag = r.string();
      else if (field === 2 && wire === 5) v.simple = r.float();
      else if (field === 9 && wire === 2) readMetadata(r.sub(), v);
      else if (field === 5 && wire === 2) v.histo = readHisto(r.sub());
      else if (field === 4 && wire === 2) v.image = readImage(r.sub());
      else if (field === 8 && wire === 2) v.tensor = readTensor(r.sub());
      else r.skip(wire);
    }
    if (v.pluginName !== undefined && !this.plugins.has(v.tag)) this.plugins.set(v.tag, { name: v.pluginName, content: v.pluginContent });
    const plugin = this.plugins.get(v.tag);
    const tag = v.tag;
    if (v.simple !== undefined) return { kind: 'scalar', tag, value: v.simple };
    if (v.histo) return { kind: 'histogram', tag, ...v.histo };
    if (v.image) return { kind: 'image', tag, ...v.image };
    if (plugin?.name === 'hparams') return { kind: 'hparams', tag, content: decodeHparams(v.pluginContent ?? plugin.content) };
    const t = v.tensor;
    if (t) {
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
        let num = 0;
        for (let i = 0; i < rows; i++) {
          limits.push(xs[i * 3 + 1]!);
          counts.push(xs[i * 3 + 2]!);
          num += xs[i * 3 + 2]!;
        }
        return { kind: 'histogram', tag, min: rows ? xs[0]! : 0, max: rows ? xs[rows * 3 - 2]! : 0, num, sum: NaN, sumSquares: NaN, bucketLimits: limits, bucketCounts: counts };
      }
      return { kind: 'tensor', tag, pluginName: plugin?.name ?? '', dtype: t.dtype, shape: t.shape };
    }
    return { kind: 'other', tag };
  }
}

function readMetadata(r: ProtoReader, v: RawValue): void {
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === 2) {
      const p = r.sub();
      v.pluginName = '';
      while (!p.done) {
        const t = p.tag();
        if (t.field === 1 && t.wire === 2) v.pluginName = p.string();
        else if (t.field === 2 && t.wire === 2) v.pluginContent = p.bytes();
        else p.skip(t.wire);
      }
    } else r.skip(wire);
  }
}

function readHisto(r: ProtoReader): NonNullable<RawValue['histo']> {
  const h = { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimits: [] as number[], bucketCounts: [] as number[] };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (wire === 1 && field >= 1 && field <= 5) {
      const x = r.double();
      if (field === 1) h.min = x;
      else if (field === 2) h.max = x;
      else if (field === 3) h.num = x;
      else if (field === 4) h.sum = x;
      else h.sumSquares = x;
    } else if (field === 6 && (wire === 1 || wire === 2)) r.doubles(wire, h.bucketLimits);
    else if (field === 7 && (wire === 1 || wire === 2)) r.doubles(wire, h.bucketCounts);
    else r.skip(wire);
  }
  return h;
}

function readImage(r: ProtoReader): NonNullable<RawValue['image']> {
  const img: NonNullable<RawValue['image']> = { width: 0, height: 0, colorspace: 0, encoded: new Uint8Array(0) };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === 0) img.height = r.varint();
    else if (field === 2 && wire === 0) img.width = r.varint();
    else if (field === 3 && wire === 0) img.colorspace = r.varint();
    else if (field === 4 && wire === 2) img.encoded = r.bytes();
    else r.skip(wire);
  }
  return img;
}

function readTensor(r: ProtoReader): RawTensor {
  const t: RawTensor = { dtype: 0, shape: [], floats: [], doubles: [], strings: [] };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === 0) t.dtype = r.varint();
    else if (field === 2 && wire === 2) {
      const s = r.sub();
      while (!s.done) {
        const d = s.tag();
        if (d.field === 2 && d.wire === 2) {
          const dim = s.sub();
          let size = 0;
          while (!dim.done) {
            const x = dim.tag();
            if (x.field === 1 && x.wire === 0) size = dim.varint();
            else dim.skip(x.wire);
          }
          t.shape.push(size);
        } else s.skip(d.wire);
      }
    } else if (field === 4 && wire === 2) t.content = r.bytes();
    else if (field === 5 && (wire === 2 || wire === 5)) r.floats(wire, t.floats);
    else if (field === 6 && (wire === 2 || wire === 1)) r.doubles(wire, t.doubles);
    else if (field === 8 && wire === 2) t.strings.push(r.bytes());
    else r.skip(wire);
  }
  return t;
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

function readProtobufValue(r: ProtoReader): string | number | boolean | null {
  let out: string | number | boolean | null = null;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 2 && wire === 1) out = r.double();
    else if (field === 3 && wire === 2) out = r.string();
    else if (field === 4 && wire === 0) out = r.varint() !== 0;
    else r.skip(wire);
  }
  return out;
}

export function decodeHparams(content: Uint8Array | undefined): HparamsContent {
  if (!content) return { kind: 'unknown' };
  const r = new ProtoReader(content);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 3 && wire === 2) {
      const s = r.sub();
      const out: Extract<HparamsContent, { kind: 'session_start' }> = { kind: 'session_start', hparams: {}, groupName: '', startTimeSecs: 0 };
      while (!s.done) {
        const t = s.tag();
        if (t.field === 1 && t.wire === 2) {
          const e = s.sub();
          let key = '';
          let value: string | number | boolean | null = null;
          while (!e.done) {
            const x = e.tag();
            if (x.field === 1 && x.wire === 2) key = e.string();
            else if (x.field === 2 && x.wire === 2) value = readProtobufValue(e.sub());
            else e.skip(x.wire);
          }
          out.hparams[key] = value;
        } else if (t.field === 4 && t.wire === 2) out.groupName = s.string();
        else if (t.field === 5 && t.wire === 1) out.startTimeSecs = s.double();
        else s.skip(t.wire);
      }
      return out;
    }
    if (field === 4 && wire === 2) {
      const s = r.sub();
      const out: Extract<HparamsContent, { kind: 'session_end' }> = { kind: 'session_end', status: 0, endTimeSecs: 0 };
      while (!s.done) {
        const t = s.tag();
        if (t.field === 1 && t.wire === 0) out.status = s.varint();
        else if (t.field === 2 && t.wire === 1) out.endTimeSecs = s.double();
        else s.skip(t.wire);
      }
      return out;
    }
    if (field === 2 && wire === 2) {
      const s = r.sub();
      const out: Extract<HparamsContent, { kind: 'experiment' }> = { kind: 'experiment', hparams: [], metrics: [] };
      while (!s.done) {
        const t = s.tag();
        if (t.field === 4 && t.wire === 2) {
          const info = s.sub();
          const h = { name: '', type: 0 };
          while (!info.done) {
            const x = info.tag();
            if (x.field === 1 && x.wire === 2) h.name = info.string();
            else if (x.field === 4 && x.wire === 0) h.type = info.varint();
            else info.skip(x.wire);
          }
          out.hparams.push(h);
        } else if (t.field === 5 && t.wire === 2) {
          const info = s.sub();
          const m = { group: '', tag: '' };
          while (!info.done) {
            const x = info.tag();
            if (x.field === 1 && x.wire === 2) {
              const n = info.sub();
              while (!n.done) {
                const y = n.tag();
                if (y.field === 1 && y.wire === 2) m.group = n.string();
                else if (y.field === 2 && y.wire === 2) m.tag = n.string();
                else n.skip(y.wire);
              }
            } else info.skip(x.wire);
          }
          out.metrics.push(m);
        } else s.skip(t.wire);
      }
      return out;
    }
    r.skip(wire);
  }
  return { kind: 'unknown' };
}
