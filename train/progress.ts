// Per-epoch progress display on stderr: a redrawn bar on a TTY, periodic
// plain lines otherwise (logs, CI, pipes). Invariants: only writes to the
// given sink; ETA and samples/s count only work done since this display
// started (a resumed epoch does not claim the restored steps as its speed).

/** Where progress text goes. */
export interface ProgressSink {
  /** write text as is (lines end in "\n"; a terminal bar redraws with "\r") */
  write(s: string): void;
  /** whether a redrawn bar can be shown */
  isTTY: boolean;
}

/** stderr as a sink. */
export function stderrSink(): ProgressSink {
  const enc = new TextEncoder();
  return {
    write: (s) => {
      Deno.stderr.writeSync(enc.encode(s));
    },
    isTTY: Deno.stderr.isTerminal(),
  };
}

/** A sink that discards everything (tests, --quiet). */
export const nullSink: ProgressSink = { write: () => {}, isTTY: false };

function fmtTime(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "--:--";
  const m = Math.floor(s / 60), r = Math.floor(s % 60);
  return m >= 60
    ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`
    : `${m}:${String(r).padStart(2, "0")}`;
}

export class EpochProgress {
  #sink: ProgressSink;
  #label: string;
  #total: number;
  #t0 = performance.now();
  #lastLine = 0;
  #done0: number;
  #lineEveryMs: number;

  /** `done0` = steps already finished when this display starts (resume). */
  constructor(sink: ProgressSink, label: string, totalSteps: number, done0 = 0, lineEveryMs = 10_000) {
    this.#sink = sink;
    this.#label = label;
    this.#total = totalSteps;
    this.#done0 = done0;
    this.#lineEveryMs = lineEveryMs;
  }

  /** Report after step `done` (1-based count) with running loss/accuracy and samples seen this session. */
  update(done: number, loss: number, acc: number, samples: number) {
    const now = performance.now();
    const secs = (now - this.#t0) / 1000;
    const rate = samples / Math.max(secs, 1e-6);
    const stepsRate = (done - this.#done0) / Math.max(secs, 1e-6);
    const eta = (this.#total - done) / Math.max(stepsRate, 1e-9);
    const stats = `loss ${loss.toFixed(4)} acc ${(acc * 100).toFixed(2)}% ${rate.toFixed(0)} samples/s ETA ${
      fmtTime(eta)
    }`;
    if (this.#sink.isTTY) {
      const width = 24;
      const fill = Math.round(width * done / this.#total);
      const bar = "█".repeat(fill) + "·".repeat(width - fill);
      this.#sink.write(`\r\x1b[2K${this.#label} ${bar} ${done}/${this.#total} ${stats}`);
    } else if (now - this.#lastLine >= this.#lineEveryMs || done === this.#total) {
      this.#lastLine = now;
      this.#sink.write(`${this.#label} step ${done}/${this.#total} ${stats}\n`);
    }
  }

  /** Finish the epoch's display with a summary line. */
  end(summary: string) {
    const secs = (performance.now() - this.#t0) / 1000;
    this.#sink.write(`${this.#sink.isTTY ? "\r\x1b[2K" : ""}${this.#label} ${summary} (${fmtTime(secs)})\n`);
  }
}
