// Constant-arrival-rate load generator (open model). Iterations start on their
// schedule whether or not earlier ones have finished; a start that finds every
// virtual user busy is dropped and counted (as k6's constant-arrival-rate does),
// and a start that fires later than planned is counted as late. The schedule is
// a pure function of the profile, so tests can check it without a clock.

/** Arrival profile: linear ramp from 0 to `rate`, hold for `holdS`, linear ramp down to 0. */
export interface Profile {
  /** Iterations per second while holding. */
  rate: number;
  rampS: number;
  holdS: number;
  rampDownS: number;
}

/** Iterations expected in the first `t` seconds of the profile (the integral of the rate). */
export function cumulativeArrivals(p: Profile, t: number): number {
  const up = Math.min(Math.max(t, 0), p.rampS);
  let n = p.rampS > 0 ? (p.rate * up * up) / (2 * p.rampS) : 0;
  if (t <= p.rampS) return n;
  const hold = Math.min(t - p.rampS, p.holdS);
  n += p.rate * hold;
  if (t <= p.rampS + p.holdS) return n;
  const d = Math.min(t - p.rampS - p.holdS, p.rampDownS);
  // Rate falls from `rate` to 0 over rampDownS: integral of rate * (1 - x / rampDownS).
  n += p.rampDownS > 0 ? p.rate * d - (p.rate * d * d) / (2 * p.rampDownS) : 0;
  return n;
}

export function profileSeconds(p: Profile): number {
  return p.rampS + p.holdS + p.rampDownS;
}

/** How many iterations the whole profile schedules. */
export function totalArrivals(p: Profile): number {
  return Math.floor(cumulativeArrivals(p, profileSeconds(p)) + 1e-9);
}

/**
 * Second at which iteration `k` (0-based) starts: the time at which the cumulative
 * count reaches k + 1, found by inverting each piece of the profile in closed form.
 */
export function arrivalTime(p: Profile, k: number): number {
  const target = k + 1;
  const rampN = cumulativeArrivals(p, p.rampS);
  if (target <= rampN) return Math.sqrt((2 * p.rampS * target) / p.rate);
  const holdN = rampN + p.rate * p.holdS;
  if (target <= holdN) return p.rampS + (target - rampN) / p.rate;
  // Ramp down: rate*d - rate*d²/(2D) = m, smaller root of the quadratic in d.
  const m = target - holdN;
  const D = p.rampDownS;
  const disc = Math.max(p.rate * p.rate - (2 * p.rate * m) / D, 0);
  const d = (p.rate - Math.sqrt(disc)) / (p.rate / D);
  return p.rampS + p.holdS + Math.min(d, D);
}

/** Time source, injectable so scheduling can be tested with a fake clock. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RunOptions<V> {
  profile: Profile;
  /** The virtual users; at most one iteration per VU runs at a time (bounds in-flight work). */
  vus: V[];
  iterate: (vu: V, scheduledMs: number) => Promise<void>;
  clock?: Clock;
  /** A start later than this past its scheduled time counts as late. */
  lateMs?: number;
  /** How long to wait for in-flight iterations after the last start. */
  drainMs?: number;
  /** Called with (scheduled start, lag) for every started iteration. */
  onStart?: (scheduledMs: number, lagMs: number) => void;
}

export interface RunResult {
  scheduled: number;
  started: number;
  /** Starts skipped because every VU was busy (the open model's overflow). */
  dropped: number;
  /** Starts that fired more than lateMs after their scheduled time. */
  late: number;
  maxLagMs: number;
  /** Iterations still running when the drain time ran out. */
  unfinished: number;
  /** Wall time from the first scheduled start to the end of the drain. */
  elapsedMs: number;
}

/**
 * Runs the profile. Timers are not exact: after each wake-up every arrival whose
 * time has come is started at once (catching up), each measured for lag.
 */
export async function runArrivals<V>(opts: RunOptions<V>): Promise<RunResult> {
  const clock = opts.clock ?? realClock;
  const lateMs = opts.lateMs ?? 10;
  const total = totalArrivals(opts.profile);
  const idle: V[] = [...opts.vus];
  let inFlight = 0;
  const result: RunResult = { scheduled: total, started: 0, dropped: 0, late: 0, maxLagMs: 0, unfinished: 0, elapsedMs: 0 };
  let drained: (() => void) | null = null;

  const t0 = clock.now();
  for (let k = 0; k < total; k++) {
    const due = t0 + arrivalTime(opts.profile, k) * 1000;
    const wait = due - clock.now();
    if (wait > 0) await clock.sleep(wait);
    const lag = Math.max(0, clock.now() - due);
    // Oldest idle VU first, so the work spreads over every user.
    const vu = idle.shift();
    if (vu === undefined) {
      result.dropped++;
      continue;
    }
    result.started++;
    if (lag > lateMs) result.late++;
    result.maxLagMs = Math.max(result.maxLagMs, lag);
    opts.onStart?.(due - t0, lag);
    inFlight++;
    void opts
      .iterate(vu, due - t0)
      .catch(() => undefined) // Iterations record their own failures; nothing may escape here.
      .finally(() => {
        inFlight--;
        idle.push(vu);
        if (inFlight === 0) drained?.();
      });
  }

  if (inFlight > 0) {
    const drainMs = opts.drainMs ?? 30_000;
    await Promise.race([new Promise<void>((resolve) => (drained = resolve)), clock.sleep(drainMs)]);
  }
  result.unfinished = inFlight;
  result.elapsedMs = clock.now() - t0;
  return result;
}
