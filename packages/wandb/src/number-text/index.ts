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
}

/** Most bytes one number's text takes, with its comma: `-1.2345678901234567e-308,`. */
const MAX_NUMBER_BYTES = 25;
const PAGE = 64 * 1024;

/**
 * The WebAssembly module of number-text.c in this thread: numbers go into its memory, their text comes out
 * there as bytes. Its text is JSON.stringify's, in about half the time for doubles of 17 digits (the history
 * values of a training loop), and with no string made.
 */
class WasmNumberText {
  private readonly exports: NumberTextExports;
  private readonly inputAt: number;
  private capacity = 0;
  private input = new Float64Array(0);
  private outputAt = 0;

  constructor() {
    const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (api === undefined) throw new Error('no WebAssembly here');
    const module = new api.Module(Buffer.from(NUMBER_TEXT_WASM, 'base64'));
    this.exports = new api.Instance(module, {}).exports as NumberTextExports;
    this.inputAt = (Number(this.exports.__heap_base.value) + 7) & ~7;
  }

  format(numbers: ArrayLike<number>): Uint8Array {
    const count = numbers.length;
    if (count > this.capacity || this.input.buffer !== this.exports.memory.buffer) this.reserve(count);
    this.input.set(numbers);
    const length = this.exports.format_numbers(this.inputAt, count, this.outputAt);
    return new Uint8Array(this.exports.memory.buffer, this.outputAt, length);
  }

  /** Room for `count` numbers and their text (memory only grows: to the largest batch seen). */
  private reserve(count: number): void {
    const capacity = Math.max(count, 2 * this.capacity, 1024);
    const end = this.inputAt + capacity * (8 + MAX_NUMBER_BYTES) + 2;
    const memory = this.exports.memory;
    if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
    this.capacity = capacity;
    this.input = new Float64Array(memory.buffer, this.inputAt, capacity);
    this.outputAt = this.inputAt + capacity * 8;
  }
}

/** Where WebAssembly is not available (`--jitless`, say): the same text from JSON.stringify. */
class StringifyNumberText {
  private scratch = Buffer.allocUnsafe(16 * 1024);

  format(numbers: ArrayLike<number>): Uint8Array {
    const text = JSON.stringify(Array.isArray(numbers) ? numbers : Array.from(numbers));
    if (text.length > this.scratch.length) this.scratch = Buffer.allocUnsafe(text.length * 2);
    const length = this.scratch.write(text, 0, 'latin1'); // number JSON is ASCII: one byte per character
    return this.scratch.subarray(0, length);
  }
}

export type NumberTextWriter = WasmNumberText | StringifyNumberText;

let writer: NumberTextWriter | undefined;

/** This thread's writer: the WebAssembly one, or JSON.stringify's where WebAssembly cannot run. */
function numberText(): NumberTextWriter {
  if (writer === undefined) {
    try {
      writer = new WasmNumberText();
    } catch {
      writer = new StringifyNumberText();
    }
  }
  return writer;
}

/**
 * `JSON.stringify(numbers)` as ASCII bytes (`[1.5,-2,null]`: non-finite numbers are `null`), identical to
 * it for every double. The bytes are a view that the next call in this thread overwrites: copy them or
 * use them first.
 */
export function numbersJson(numbers: ArrayLike<number>): Uint8Array {
  return numberText().format(numbers);
}

/** Both writers, for tests that compare them. */
export function numberTextWriters(): { wasm: NumberTextWriter; stringify: NumberTextWriter } {
  return { wasm: new WasmNumberText(), stringify: new StringifyNumberText() };
}
