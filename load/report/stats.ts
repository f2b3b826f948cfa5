// Recording one scenario's results: an HdrHistogram per request step and for all
// requests together (percentiles come from hdr-histogram-js, never computed by
// hand), errors by HTTP status and by OAuth error code, and a per-second timeline.
import { build, type Histogram } from "hdr-histogram-js";

/** Latencies are recorded in microseconds: 1 µs to 10 minutes at 3 significant digits. */
const HIGHEST_US = 600_000_000;

export function newHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3 });
}

/** What one HTTP request of an iteration came to. */
export interface Outcome {
  /** Request type, e.g. "POST /token refresh_token". */
  step: string;
  ms: number;
  ok: boolean;
  /** HTTP status, or "network" when no response arrived. */
  status: number | "network";
  /** OAuth error code (JSON `error`, or `error` of an error redirect), or what check failed. */
  error?: string;
}

export interface LatencySummary {
  count: number;
  errors: number;
  errorRate: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface TimelinePoint {
  /** Second since the scenario started. */
  t: number;
  count: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
}

interface Series {
  hist: Histogram;
  errors: number;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const toMs = (us: number) => round(us / 1000);

function record(series: Series, ms: number, ok: boolean): void {
  series.hist.recordValue(Math.min(Math.max(Math.round(ms * 1000), 1), HIGHEST_US));
  if (!ok) series.errors++;
}

export function summarize(hist: Histogram, errors: number): LatencySummary {
  const count = hist.totalCount;
  return {
    count,
    errors,
    errorRate: count === 0 ? 0 : errors / count,
    p50: toMs(hist.getValueAtPercentile(50)),
    p95: toMs(hist.getValueAtPercentile(95)),
    p99: toMs(hist.getValueAtPercentile(99)),
    max: toMs(hist.maxValue),
    mean: toMs(hist.mean),
  };
}

export interface ScenarioStats {
  overall: LatencySummary;
  steps: Record<string, LatencySummary>;
  /** Whole iterations (several requests for a flow), when the scenario has more than one step. */
  iterations: LatencySummary | null;
  errorsByStatus: Record<string, number>;
  errorsByCode: Record<string, number>;
  timeline: TimelinePoint[];
}

export class ScenarioRecorder {
  private readonly overall: Series = { hist: newHistogram(), errors: 0 };
  private readonly iterations: Series = { hist: newHistogram(), errors: 0 };
  private readonly steps = new Map<string, Series>();
  private readonly seconds = new Map<number, Series>();
  private readonly byStatus: Record<string, number> = {};
  private readonly byCode: Record<string, number> = {};
  private multiStep = false;

  /** `atMs`: when the request started, in ms since the scenario started. */
  request(outcome: Outcome, atMs: number): void {
    let step = this.steps.get(outcome.step);
    if (!step) {
      step = { hist: newHistogram(), errors: 0 };
      this.steps.set(outcome.step, step);
    }
    record(step, outcome.ms, outcome.ok);
    record(this.overall, outcome.ms, outcome.ok);
    const second = Math.max(0, Math.floor(atMs / 1000));
    let bucket = this.seconds.get(second);
    if (!bucket) {
      bucket = { hist: newHistogram(), errors: 0 };
      this.seconds.set(second, bucket);
    }
    record(bucket, outcome.ms, outcome.ok);
    if (!outcome.ok) {
      const status = String(outcome.status);
      this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
      const code = outcome.error ?? "(none)";
      this.byCode[code] = (this.byCode[code] ?? 0) + 1;
    }
  }

  /** A whole iteration of a multi-request flow. */
  iteration(ms: number, ok: boolean): void {
    this.multiStep = true;
    record(this.iterations, ms, ok);
  }

  stats(): ScenarioStats {
    const steps: Record<string, LatencySummary> = {};
    for (const [name, s] of this.steps) steps[name] = summarize(s.hist, s.errors);
    const timeline = [...this.seconds]
      .sort(([a], [b]) => a - b)
      .map(([t, s]) => {
        const { count, errors, p50, p95, p99 } = summarize(s.hist, s.errors);
        return { t, count, errors, p50, p95, p99 };
      });
    return {
      overall: summarize(this.overall.hist, this.overall.errors),
      steps,
      iterations: this.multiStep ? summarize(this.iterations.hist, this.iterations.errors) : null,
      errorsByStatus: { ...this.byStatus },
      errorsByCode: { ...this.byCode },
      timeline,
    };
  }
}
