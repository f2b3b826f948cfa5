// The refresh loop of the rebalance benchmark: refresh-token families rotated at a
// constant arrival rate while buckets move, with the bookkeeping that tells a lost
// or duplicated refresh apart from an ordinary error.
//
// Each family is used by one request at a time (two at once would be a reuse, which
// revokes the family by design). A 200 hands the family its next token. A token is
// "lost" when the provider accepted a rotation and then refused the token it issued
// (the rotation did not survive the move); "duplicated" when one token was accepted
// twice. Both must be zero.
import { newHistogram, summarize, type LatencySummary } from "./report/stats.ts";
import type { Histogram } from "hdr-histogram-js";
import { parallel } from "../cli/lib/parallel.ts";
import { refresh, type ClientConfig, type Endpoints } from "./oidc.ts";
import type { Http } from "./http.ts";

export type Phase = "before" | "during" | "after";

export interface Family {
  email: string;
  token: string;
  busy: boolean;
  dead: boolean;
  /** Set after a network error: the provider may or may not have rotated (not counted as lost). */
  uncertain: boolean;
}

interface PhaseStats {
  hist: Histogram;
  errors: number;
  byStatus: Record<string, number>;
}

export interface StormReport {
  rate: number;
  families: number;
  phases: Record<Phase, LatencySummary & { errorsByStatus: Record<string, number>; seconds: number }>;
  dropped: number;
  lost: number;
  duplicated: number;
  uncertain: number;
}

export class RefreshStorm {
  phase: Phase = "before";
  private readonly stats: Record<Phase, PhaseStats>;
  private readonly phaseStarted: Record<Phase, number> = { before: 0, during: 0, after: 0 };
  private readonly phaseEnded: Record<Phase, number> = { before: 0, during: 0, after: 0 };
  private readonly accepted = new Map<string, number>();
  private next = 0;
  private dropped = 0;
  private lost = 0;
  private stopped = false;
  private readonly inflight = new Set<Promise<void>>();
  private readonly http: Http;
  private readonly ep: Endpoints;
  private readonly client: ClientConfig;
  private readonly families: Family[];
  private readonly rate: number;
  /** Requests slower than a second: when they ended (seconds into the loop), which phase, which family. */
  readonly slow: Array<{ endedAt: number; ms: number; phase: Phase; email: string; status: number | "network" }> = [];
  private readonly epoch = performance.now();

  constructor(http: Http, ep: Endpoints, client: ClientConfig, families: Family[], rate: number) {
    this.http = http;
    this.ep = ep;
    this.client = client;
    this.families = families;
    this.rate = rate;
    const fresh = (): PhaseStats => ({ hist: newHistogram(), errors: 0, byStatus: {} });
    this.stats = { before: fresh(), during: fresh(), after: fresh() };
    this.phaseStarted.before = performance.now();
  }

  setPhase(phase: Phase): void {
    this.phaseEnded[this.phase] = performance.now();
    this.phase = phase;
    this.phaseStarted[phase] = performance.now();
  }

  /** Runs until `stop()`: one refresh every 1/rate s on the schedule, whatever the latency. */
  async run(): Promise<void> {
    const interval = 1000 / this.rate;
    const start = performance.now();
    for (let i = 0; !this.stopped; i++) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const family = this.pick();
      if (!family) {
        this.dropped++;
        continue;
      }
      const job = this.rotate(family).finally(() => this.inflight.delete(job));
      this.inflight.add(job);
    }
    await Promise.all(this.inflight);
  }

  stop(): void {
    this.phaseEnded[this.phase] = performance.now();
    this.stopped = true;
  }

  /** After the run: each live family refreshes once more; a refusal means a rotation was lost. */
  async finalCheck(concurrency = 16): Promise<void> {
    const live = this.families.filter((f) => !f.dead && !f.uncertain);
    await parallel(live, concurrency, async (family) => {
      const { outcome, tokens } = await refresh(this.http, this.ep, this.client, family.token);
      if (outcome.ok && tokens?.refreshToken) this.accept(family, tokens.refreshToken);
      else if (outcome.status === 400) this.lost++;
    });
  }

  /** Seconds since the loop started (to place events such as the rebalance on the same clock). */
  elapsed(): number {
    return Math.round((performance.now() - this.epoch) / 100) / 10;
  }

  /**
   * Requests over a second, grouped by when they ended (within 0.5 s): a group of many
   * that end together is a stall of the whole provider rather than one slow request.
   */
  stalls(): Array<{ endedAt: number; phase: Phase; requests: number; maxMs: number }> {
    const groups: Array<{ endedAt: number; phase: Phase; requests: number; maxMs: number }> = [];
    for (const r of [...this.slow].sort((a, b) => a.endedAt - b.endedAt)) {
      const last = groups.at(-1);
      if (last && r.endedAt - last.endedAt <= 0.5) {
        last.requests++;
        last.maxMs = Math.max(last.maxMs, r.ms);
        last.endedAt = r.endedAt;
      } else groups.push({ endedAt: r.endedAt, phase: r.phase, requests: 1, maxMs: r.ms });
    }
    return groups;
  }

  report(): StormReport {
    const phases = {} as StormReport["phases"];
    for (const phase of ["before", "during", "after"] as const) {
      const s = this.stats[phase];
      const seconds = Math.max(0, (this.phaseEnded[phase] || performance.now()) - this.phaseStarted[phase]) / 1000;
      phases[phase] = { ...summarize(s.hist, s.errors), errorsByStatus: s.byStatus, seconds: Math.round(seconds * 10) / 10 };
    }
    const duplicated = [...this.accepted.values()].filter((n) => n > 1).length;
    return { rate: this.rate, families: this.families.length, phases, dropped: this.dropped, lost: this.lost, duplicated, uncertain: this.families.filter((f) => f.uncertain).length };
  }

  private pick(): Family | null {
    for (let k = 0; k < this.families.length; k++) {
      const family = this.families[(this.next + k) % this.families.length]!;
      if (!family.busy && !family.dead) {
        this.next = (this.next + k + 1) % this.families.length;
        return family;
      }
    }
    return null;
  }

  private async rotate(family: Family): Promise<void> {
    family.busy = true;
    const phase = this.phase;
    const { outcome, tokens } = await refresh(this.http, this.ep, this.client, family.token);
    if (outcome.ms > 1_000) {
      this.slow.push({ endedAt: this.elapsed(), ms: Math.round(outcome.ms), phase, email: family.email, status: outcome.status });
    }
    const stats = this.stats[phase];
    stats.hist.recordValue(Math.max(1, Math.round(outcome.ms * 1000)));
    if (outcome.ok && tokens?.refreshToken) {
      this.accept(family, tokens.refreshToken);
    } else {
      stats.errors++;
      const key = `${outcome.status}${outcome.error ? ` ${outcome.error}` : ""}`;
      stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1;
      if (outcome.status === "network") family.uncertain = true;
      // A refusal of a token the provider itself issued, with nothing ambiguous before it: lost.
      if (outcome.status === 400) {
        family.dead = true;
        if (!family.uncertain) this.lost++;
      }
    }
    family.busy = false;
  }

  private accept(family: Family, next: string): void {
    this.accepted.set(family.token, (this.accepted.get(family.token) ?? 0) + 1);
    family.token = next;
  }
}
