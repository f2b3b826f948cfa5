// One progress line on stderr for the long operator commands (rebalance, backup, restore):
// redrawn in place on a terminal at most five times a second, else a line every 5 s.

export interface ProgressFrame {
  done: number;
  total: number;
  /** Seconds since the start. */
  elapsed: number;
  /** Items per second so far, and the seconds left at that rate. */
  rate: number;
  eta: number;
}

export class ProgressLine {
  private readonly started = Date.now();
  private readonly total: number;
  private readonly enabled: boolean;
  private readonly render: (frame: ProgressFrame) => string;
  private lastDraw = 0;
  private done = 0;

  constructor(total: number, enabled: boolean, render: (frame: ProgressFrame) => string) {
    this.total = total;
    this.enabled = enabled;
    this.render = render;
  }

  update(done: number): void {
    this.done = done;
    const now = Date.now();
    const tty = process.stderr.isTTY === true;
    if (!this.enabled || (now - this.lastDraw < (tty ? 200 : 5_000) && done < this.total)) return;
    this.lastDraw = now;
    const elapsed = (now - this.started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (this.total - done) / rate : 0;
    const line = this.render({ done, total: this.total, elapsed, rate, eta });
    process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  }

  finish(): void {
    if (this.enabled && process.stderr.isTTY && this.done > 0) process.stderr.write("\n");
  }
}
