import { describe, expect, it } from "vitest";
import { arrivalTime, cumulativeArrivals, runArrivals, totalArrivals, type Clock, type Profile } from "../../load/generator.ts";

/** A clock that only moves when the generator sleeps; `jitter` makes chosen wake-ups late. */
function fakeClock(jitter: (wakeNumber: number) => number = () => 0): Clock & { wakes: number } {
  let now = 0;
  const clock = {
    wakes: 0,
    now: () => now,
    sleep: async (ms: number) => {
      now += ms + jitter(clock.wakes++);
    },
  };
  return clock;
}

const SEED: Profile = { rate: 300, rampS: 10, holdS: 120, rampDownS: 10 };

describe("arrival schedule", () => {
  it("schedules rate × hold plus half a ramp at each end (the seed's 300/s for 120 s)", () => {
    expect(totalArrivals(SEED)).toBe(300 * 120 + 1500 + 1500);
    expect(totalArrivals({ rate: 300, rampS: 10, holdS: 120, rampDownS: 0 })).toBe(37_500);
    expect(totalArrivals({ rate: 50, rampS: 0, holdS: 2, rampDownS: 0 })).toBe(100);
  });

  it("spaces arrivals 1/R apart while holding", () => {
    const p: Profile = { rate: 300, rampS: 0, holdS: 10, rampDownS: 0 };
    expect(arrivalTime(p, 0)).toBeCloseTo(1 / 300, 9);
    expect(arrivalTime(p, 299)).toBeCloseTo(1, 9);
    expect(arrivalTime(p, 1000) - arrivalTime(p, 999)).toBeCloseTo(1 / 300, 9);
  });

  it("ramps linearly: a quarter of the ramp's arrivals in its first half", () => {
    const p: Profile = { rate: 100, rampS: 10, holdS: 0, rampDownS: 0 };
    expect(totalArrivals(p)).toBe(500);
    expect(cumulativeArrivals(p, 5)).toBeCloseTo(125, 9);
    expect(arrivalTime(p, 124)).toBeCloseTo(5, 9);
    // Gaps shrink as the rate rises.
    expect(arrivalTime(p, 1) - arrivalTime(p, 0)).toBeGreaterThan(arrivalTime(p, 401) - arrivalTime(p, 400));
  });

  it("inverts the cumulative count on every piece, ramp-down included", () => {
    for (const k of [0, 10, 1499, 1500, 20_000, 37_499, 37_500, 38_000, totalArrivals(SEED) - 1]) {
      expect(cumulativeArrivals(SEED, arrivalTime(SEED, k))).toBeCloseTo(k + 1, 6);
    }
    const times = Array.from({ length: totalArrivals(SEED) }, (_, k) => arrivalTime(SEED, k));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    expect(times[times.length - 1]!).toBeLessThanOrEqual(140);
  });
});

describe("runArrivals (open model)", () => {
  it("starts every iteration on schedule when VUs are free", async () => {
    const clock = fakeClock();
    const starts: number[] = [];
    const result = await runArrivals({
      profile: { rate: 10, rampS: 0, holdS: 2, rampDownS: 0 },
      vus: [1, 2, 3],
      clock,
      iterate: async () => {},
      onStart: (scheduled) => starts.push(scheduled),
    });
    expect(result).toMatchObject({ scheduled: 20, started: 20, dropped: 0, late: 0, unfinished: 0 });
    expect(starts[0]).toBeCloseTo(100, 6);
    expect(starts[19]).toBeCloseTo(2000, 6);
  });

  it("does not wait for earlier iterations: starts with every VU busy are dropped, not delayed", async () => {
    const clock = fakeClock();
    const release: Array<() => void> = [];
    const result = await runArrivals({
      profile: { rate: 10, rampS: 0, holdS: 1, rampDownS: 0 },
      vus: ["a", "b"],
      clock,
      drainMs: 5,
      iterate: () => new Promise<void>((resolve) => release.push(resolve)), // never finish by themselves
    });
    expect(result.scheduled).toBe(10);
    expect(result.started).toBe(2);
    expect(result.dropped).toBe(8);
    expect(result.unfinished).toBe(2);
    expect(clock.now()).toBeCloseTo(1000 + 5, 6); // the schedule ran to its end, then the drain wait
    release.forEach((r) => r());
  });

  it("counts late starts with the lag behind the schedule, and catches up without sleeping", async () => {
    // The third wake-up comes 50 ms late: that arrival is late, and so are those whose time passed meanwhile.
    const clock = fakeClock((n) => (n === 2 ? 50 : 0));
    const lags: number[] = [];
    const result = await runArrivals({
      profile: { rate: 100, rampS: 0, holdS: 0.1, rampDownS: 0 },
      vus: Array.from({ length: 20 }, (_, i) => i),
      clock,
      lateMs: 10,
      iterate: async () => {},
      onStart: (_, lag) => lags.push(lag),
    });
    expect(result.started).toBe(10);
    expect(lags[2]).toBeCloseTo(50, 6);
    expect(lags[3]).toBeCloseTo(40, 6);
    expect(lags[6]).toBeCloseTo(10, 6); // exactly at the threshold: not late
    expect(result.late).toBe(4); // lags 50, 40, 30, 20
    expect(result.maxLagMs).toBeCloseTo(50, 6);
    expect(clock.wakes).toBe(2 + 1 + 3); // no sleep for the starts that were already due
  });

  it("hands the oldest idle VU the next start, so work spreads over every user", async () => {
    const clock = fakeClock();
    const used: number[] = [];
    await runArrivals({ profile: { rate: 10, rampS: 0, holdS: 0.6, rampDownS: 0 }, vus: [0, 1, 2], clock, iterate: async (vu) => void used.push(vu) });
    expect(used).toEqual([0, 1, 2, 0, 1, 2]);
  });
});
