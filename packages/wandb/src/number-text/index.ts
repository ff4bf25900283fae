import { NUMBER_TEXT_WASM } from './wasm.js';

/** What this module uses of the WebAssembly API (the package's TypeScript libs do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

interface NumberTextExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  readonly __heap_base: { readonly value: number };
  format_numbers(input: number, count: number, output: number): number;
  history_items(input: number, ids: number, count: number, keys: number, keyStarts: number, output: number, ends: number): number;
}

/** Most bytes one number's text takes, with its comma: `-1.2345678901234567e-308,`. */
const MAX_NUMBER_BYTES = 25;
/** Most bytes of an item besides its key field: tag, length (up to 5 bytes), value_json's tag and length, text. */
const ITEM_OVERHEAD_BYTES = 1 + 5 + 3 + MAX_NUMBER_BYTES;
const PAGE = 64 * 1024;

/** The encoded `key` fields of one run's keys, in wire-id order (see `HistoryItems`). */
export class KeyTable {
  readonly fields: Uint8Array[] = [];
  bytes = 0;
  longest = 0;

  add(field: Uint8Array): void {
    this.fields.push(field);
    this.bytes += field.length;
    if (field.length > this.longest) this.longest = field.length;
  }
}

/**
 * The WebAssembly module of number-text.c in this thread. Its memory holds, one after the other: the input
 * numbers, their key ids, the item ends, the output bytes, the key starts and the key bytes, each region
 * sized for the largest batch seen (memory only grows).
 */
class NumberTextModule {
  private readonly exports: NumberTextExports;
  private readonly base: number;
  private numbers = 0;
  private outputBytes = 0;
  private keyCount = 0;
  private keyBytes = 0;
  // region offsets
  private numbersAt = 0;
  private idsAt = 0;
  private endsAt = 0;
  private outputAt = 0;
  private keyStartsAt = 0;
  private keysAt = 0;
  private input = new Float64Array(0);
  /** The key table now in memory, and how many of its keys. */
  private loaded: KeyTable | undefined;
  private loadedKeys = 0;

  constructor() {
    const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (api === undefined) throw new Error('no WebAssembly here');
    const module = new api.Module(Buffer.from(NUMBER_TEXT_WASM, 'base64'));
    this.exports = new api.Instance(module, {}).exports as NumberTextExports;
    this.base = (Number(this.exports.__heap_base.value) + 7) & ~7;
  }

  private get memory(): ArrayBuffer {
    return this.exports.memory.buffer;
  }

  /** Lays the regions out again when one is too small (a grown memory also detaches every view). */
  private reserve(numbers: number, outputBytes: number, keyCount: number, keyBytes: number): void {
    if (numbers <= this.numbers && outputBytes <= this.outputBytes && keyCount <= this.keyCount && keyBytes <= this.keyBytes) {
      if (this.input.buffer === this.memory) return;
    } else {
      this.numbers = Math.max(numbers, 2 * this.numbers, 1024);
      this.outputBytes = Math.max(outputBytes, 2 * this.outputBytes, this.numbers * MAX_NUMBER_BYTES + 2);
      this.keyCount = Math.max(keyCount, 2 * this.keyCount, 64);
      this.keyBytes = Math.max(keyBytes, 2 * this.keyBytes, 4096);
      this.numbersAt = this.base;
      this.idsAt = this.numbersAt + 8 * this.numbers;
      this.endsAt = this.idsAt + 4 * this.numbers;
      this.outputAt = this.endsAt + 4 * this.numbers;
      this.keyStartsAt = (this.outputAt + this.outputBytes + 16 + 3) & ~3; // 16: copy_bytes may write 8 bytes at a time
      this.keysAt = this.keyStartsAt + 4 * (this.keyCount + 1);
      const end = this.keysAt + this.keyBytes + 16;
      const memory = this.exports.memory;
      if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
      this.loaded = undefined;
    }
    this.input = new Float64Array(this.memory, this.numbersAt, this.numbers);
  }

  format(numbers: ArrayLike<number>): Uint8Array {
    const count = numbers.length;
    this.reserve(count, count * MAX_NUMBER_BYTES + 2, 0, 0);
    this.input.set(numbers);
    const length = this.exports.format_numbers(this.numbersAt, count, this.outputAt);
    return new Uint8Array(this.memory, this.outputAt, length);
  }

  items(numbers: ArrayLike<number>, ids: Int32Array, keys: KeyTable): { bytes: Uint8Array; ends: Uint32Array } {
    const count = numbers.length;
    this.reserve(count, count * (keys.longest + ITEM_OVERHEAD_BYTES), keys.fields.length, keys.bytes);
    this.load(keys);
    this.input.set(numbers);
    new Int32Array(this.memory, this.idsAt, count).set(ids);
    const length = this.exports.history_items(this.numbersAt, this.idsAt, count, this.keysAt, this.keyStartsAt, this.outputAt, this.endsAt);
    return { bytes: new Uint8Array(this.memory, this.outputAt, length), ends: new Uint32Array(this.memory, this.endsAt, count) };
  }

  /** Puts the run's key fields in memory, or only those added since (a thread may write several runs). */
  private load(keys: KeyTable): void {
    const from = this.loaded === keys ? this.loadedKeys : 0;
    const total = keys.fields.length;
    if (from === total) return;
    const starts = new Uint32Array(this.memory, this.keyStartsAt, total + 1);
    const bytes = new Uint8Array(this.memory, this.keysAt, this.keyBytes);
    let at = from === 0 ? 0 : starts[from]!;
    for (let k = from; k < total; k++) {
      starts[k] = at;
      bytes.set(keys.fields[k]!, at);
      at += keys.fields[k]!.length;
    }
    starts[total] = at;
    this.loaded = keys;
    this.loadedKeys = total;
  }
}

let module: NumberTextModule | null | undefined;

/** This thread's module, or null where WebAssembly cannot run (`--jitless`, say). */
function numberTextModule(): NumberTextModule | null {
  if (module === undefined) {
    try {
      module = new NumberTextModule();
    } catch {
      module = null;
    }
  }
  return module;
}

/** Which writer this thread uses: the WebAssembly module, or JSON.stringify where it cannot run. */
export function numberTextBackend(): 'wasm' | 'stringify' {
  return numberTextModule() ? 'wasm' : 'stringify';
}

let scratch = Buffer.allocUnsafe(16 * 1024);

/** The text from JSON.stringify, for hosts without WebAssembly (and tests that compare the two). */
export function stringifyNumbersJson(numbers: ArrayLike<number>): Uint8Array {
  const text = JSON.stringify(Array.isArray(numbers) ? numbers : Array.from(numbers));
  if (text.length > scratch.length) scratch = Buffer.allocUnsafe(text.length * 2);
  const length = scratch.write(text, 0, 'latin1'); // number JSON is ASCII: one byte per character
  return scratch.subarray(0, length);
}

/**
 * `JSON.stringify(numbers)` as ASCII bytes (`[1.5,-2,null]`: non-finite numbers are `null`), identical to
 * it for every double, from the WebAssembly module of number-text.c: about 40% of V8's time for doubles of
 * 17 digits (the history values of a training loop), and no string made. The bytes are a view that the
 * next call in this thread overwrites: copy them or use them first.
 */
export function numbersJson(numbers: ArrayLike<number>): Uint8Array {
  return numberTextModule()?.format(numbers) ?? stringifyNumbersJson(numbers);
}

/**
 * History `item` fields (key and value_json) of numbers, back to back, with where each ends; undefined where
 * WebAssembly cannot run (the caller encodes them itself then). Views that the next call in this thread
 * overwrites.
 */
export function historyItems(numbers: ArrayLike<number>, ids: Int32Array, keys: KeyTable): { bytes: Uint8Array; ends: Uint32Array } | undefined {
  return numberTextModule()?.items(numbers, ids, keys);
}
