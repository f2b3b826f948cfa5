// The two ways the benchmark loads a target: a closed loop (N connections, each sending
// its next request as soon as the last answered: the most the target serves) and a fixed
// arrival rate (open model: latency at a load both targets can carry). CPU per request is
// the workerd processes' user+system time over the requests served.
import type { Histogram } from "hdr-histogram-js";
import { runArrivals } from "../generator.ts";
import type { Http } from "../http.ts";
import { cpuMs } from "../proc.ts";
import { newHistogram, summarize, type LatencySummary, type Outcome } from "../report/stats.ts";
import { step, type Lane, type ScenarioName, type Target } from "./lanes.ts";

export interface Measured {
  requests: number;
  errors: number;
  seconds: number;
  reqPerS: number;
  latency: LatencySummary;
  /** CPU ms of the target's workerd processes per request (null when /proc cannot tell). */
  cpuMsPerRequest: number | null;
  /** Lanes that ran out of prepared state before the end (a seeding shortfall, not an error). */
  starved: number;
}

function record(hist: Histogram, outcome: Outcome): void {
  hist.recordValue(Math.max(1, Math.round(outcome.ms * 1000)));
}

async function measured(target: Target, work: (hist: Histogram) => Promise<{ errors: number; requests: number; starved: number }>): Promise<Measured> {
  const hist = newHistogram();
  const pids = target.pids();
  const cpu0 = cpuMs(pids);
  const t0 = performance.now();
  const { errors, requests, starved } = await work(hist);
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = cpuMs(pids);
  const cpu = cpu0 !== null && cpu1 !== null && requests > 0 ? Math.round(((cpu1 - cpu0) / requests) * 100) / 100 : null;
  return { requests, errors, seconds: Math.round(seconds * 10) / 10, reqPerS: Math.round(requests / seconds), latency: summarize(hist, errors), cpuMsPerRequest: cpu, starved };
}

/** `connections` loops, each owning its share of the lanes, for `seconds`. */
export function closedLoop(http: Http, target: Target, scenario: ScenarioName, lanes: Lane[], connections: number, seconds: number): Promise<Measured> {
  return measured(target, async (hist) => {
    let requests = 0;
    let errors = 0;
    let starved = 0;
    const end = performance.now() + seconds * 1000;
    const loop = async (mine: Lane[]) => {
      let i = 0;
      while (performance.now() < end && mine.length > 0) {
        const lane = mine[i % mine.length]!;
        const outcome = await step(http, target, scenario, lane);
        if (outcome === null) {
          mine.splice(i % mine.length, 1);
          starved++;
          continue;
        }
        requests++;
        if (!outcome.ok) errors++;
        record(hist, outcome);
        i++;
      }
    };
    await Promise.all(Array.from({ length: connections }, (_, c) => loop(lanes.filter((_, i) => i % connections === c))));
    return { requests, errors, starved };
  });
}

/** Arrivals at `rate` per second for `seconds`; a lane carries one request at a time. */
export function fixedRate(http: Http, target: Target, scenario: ScenarioName, lanes: Lane[], rate: number, seconds: number): Promise<Measured> {
  return measured(target, async (hist) => {
    let requests = 0;
    let errors = 0;
    let starved = 0;
    const run = await runArrivals({
      profile: { rate, rampS: 0, holdS: seconds, rampDownS: 0 },
      vus: lanes,
      iterate: async (lane) => {
        const outcome = await step(http, target, scenario, lane);
        if (outcome === null) {
          starved++;
          return;
        }
        requests++;
        if (!outcome.ok) errors++;
        record(hist, outcome);
      },
    });
    // An arrival with no idle lane is a request the target never got: count it as an error.
    return { requests: requests + run.dropped, errors: errors + run.dropped, starved };
  });
}
