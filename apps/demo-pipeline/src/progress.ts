/** Where the pipeline reports what it is doing: a redrawn bar on a terminal, plain lines otherwise. */
export interface Progress {
  /** A stage begins (`load data`, `train`, …). */
  stage(name: string): void;
  /** Training advanced to `done` of `total` steps; `detail` is e.g. the epoch and the loss. */
  update(done: number, total: number, detail: string): void;
  /** An epoch (or other milestone) finished: always printed as one line. */
  note(text: string): void;
  /** Clears the bar so ordinary output can follow. */
  end(): void;
}

interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export function createProgress(sink: Sink = process.stderr, options: { tty?: boolean } = {}): Progress {
  const tty = options.tty ?? Boolean(sink.isTTY);
  return tty ? barProgress(sink) : lineProgress(sink);
}

/** Discards everything (tests, or when the caller prints its own output). */
export const silentProgress: Progress = { stage() {}, update() {}, note() {}, end() {} };

function lineProgress(sink: Sink): Progress {
  return {
    stage: (name) => sink.write(`▶ ${name}\n`),
    update() {},
    note: (text) => sink.write(`  ${text}\n`),
    end() {},
  };
}

export function renderBar(done: number, total: number, width: number): string {
  const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const full = Math.round(share * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${String(Math.round(share * 100)).padStart(3)}%`;
}

function barProgress(sink: Sink): Progress {
  let shown = false;
  let lastDraw = 0;
  const clear = () => {
    if (shown) sink.write('\r\x1b[2K');
    shown = false;
  };
  return {
    stage(name) {
      clear();
      sink.write(`▶ ${name}\n`);
    },
    update(done, total, detail) {
      const now = Date.now();
      if (done < total && now - lastDraw < 50) return; // redraw at most 20 times a second
      lastDraw = now;
      const width = Math.max(10, Math.min(30, (sink.columns ?? 80) - detail.length - 10));
      sink.write(`\r\x1b[2K${renderBar(done, total, width)} ${detail}`);
      shown = true;
    },
    note(text) {
      clear();
      sink.write(`  ${text}\n`);
    },
    end: clear,
  };
}
