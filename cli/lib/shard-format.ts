// Text tables for `npm run shards`: status, plan, verify and run summaries, from the
// operator API's answers as it declares them.
import type { PlanResponse, StatusResponse, VerifyResponse } from "../../src/router/endpoints/admin/shard-responses.ts";
import type { RunSummary } from "./move-runner.ts";
import { duration } from "./move-runner.ts";

/** What `verify` found over all the pages it asked for. */
export interface VerifySummary {
  buckets: number;
  with_rows: number;
  in_flight: number;
  problems: VerifyResponse["problems"];
}

/** Columns of numbers are right-aligned; -1 stands for "unknown" (a shard that did not answer). */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === -1 ? "?" : typeof c === "number" ? c.toLocaleString("en-US") : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  return cells.map((r) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n");
}

/**
 * A shard is marked hot above 1.5× the mean of the last 5 minutes, and only once it has served
 * at least one request a second over them: a handful of requests is no skew worth a move.
 */
const HOT_FACTOR = 1.5;
const HOT_MIN_5M = 300;

function isHot(load5m: number, mean5m: number): boolean {
  return load5m >= HOT_MIN_5M && load5m > mean5m * HOT_FACTOR;
}

export function formatStatus(s: StatusResponse): string {
  const busiest = Math.max(1, ...s.shards.map((x) => x.requests?.last_5m ?? 0));
  const mean = s.shards.reduce((sum, x) => sum + (x.requests?.last_5m ?? 0), 0) / Math.max(1, s.shards.length);
  const rows = s.shards.map((x) => {
    const load = x.requests?.last_5m ?? 0;
    const bar = "#".repeat(Math.round((load / busiest) * 12));
    const hot = isHot(load, mean) ? " hot" : "";
    return [x.name, x.buckets, x.fenced_buckets, x.users ?? -1, x.requests?.last_1m ?? -1, x.requests?.last_5m ?? -1, x.requests?.last_15m ?? -1, `${bar}${hot}`];
  });
  const open = Object.entries(s.moves.open);
  const lines = [
    `map version ${s.version} · ${s.bucket_count} buckets · ${s.shards.length} shards · lease: ${s.lease ? `${s.lease.holder} until ${new Date(s.lease.expires_at).toISOString()}` : "free"}`,
    "",
    table(["shard", "buckets", "fenced", "users", "req 1m", "req 5m", "req 15m", "load (5m)"], rows),
    "",
    open.length === 0 ? "moves in flight: none" : `moves in flight: ${open.map(([step, k]) => `${k} ${step}`).join(", ")}`,
  ];
  const started = s.moves.in_flight.filter((m) => m.step !== "planned");
  if (started.length > 0) {
    lines.push(table(["move", "bucket", "from", "to", "step", "error"], started.map((m) => [m.id, m.bucket, m.from, m.to, m.step, m.error ?? ""])));
  }
  if (open.length > 0) lines.push("(run `npm run shards -- resume` if no operator is driving them)");
  // Audit delivery normally runs a second behind; say so only when it does not.
  const behind = s.shards.filter((x) => (x.outbox_behind_s ?? 0) > 60 || (x.outbox_dropped ?? 0) > 0);
  for (const x of behind) {
    const dropped = x.outbox_dropped ? `, ${x.outbox_dropped} dropped (outbox full)` : "";
    lines.push(`audit behind on ${x.name}: ${x.outbox ?? "?"} events waiting, oldest ${duration(x.outbox_behind_s ?? 0)} old${dropped}`);
  }
  return lines.join("\n");
}

export function formatPlan(p: PlanResponse, all: boolean): string {
  const byLoad = p.by === "load";
  const header = ["shard", "buckets now", "after", ...(byLoad ? ["load now", "after"] : [])];
  const rows = p.shards.map((s) => [`${s.name}${s.new ? " (new)" : ""}`, s.buckets_before, s.buckets_after, ...(byLoad ? [s.load_before ?? 0, s.load_after ?? 0] : [])]);
  const shown = all ? p.moves : p.moves.slice(0, 20);
  const lines = [`plan at map version ${p.version}, balancing ${p.by}: ${p.move_count} move${p.move_count === 1 ? "" : "s"} (dry run, nothing changed)`, "", table(header, rows)];
  if (shown.length > 0) {
    lines.push("", table(["bucket", "from", "to"], shown.map((m) => [m.bucket, m.from, m.to])));
    if (shown.length < p.moves.length) lines.push(`... and ${p.moves.length - shown.length} more (--all lists every move, --json prints them all)`);
  }
  return lines.join("\n");
}

export function formatSummary(what: string, s: RunSummary): string {
  const lines = [
    `${what}: ${s.done} done, ${s.rolled_back} rolled back, ${s.failed.length} failed of ${s.moves} in ${duration(s.seconds)} (${s.moves_per_second} moves/s, ${s.users_moved.toLocaleString("en-US")} ${s.users_moved === 1 ? "user" : "users"} moved)`,
    `fence per move: longest ${s.fence_ms.max} ms, p50 ${s.fence_ms.p50} ms, p99 ${s.fence_ms.p99} ms`,
  ];
  if (s.failed.length > 0) lines.push(table(["move", "bucket", "step", "error"], s.failed.slice(0, 20).map((f) => [f.id, f.bucket, f.step, f.error])));
  if (s.interrupted || s.failed.length > 0) lines.push("run `npm run shards -- resume` to finish (or `resume --rollback` to undo) the open moves");
  return lines.join("\n");
}

export function formatVerify(v: VerifySummary): string {
  const head = `verified ${v.buckets} buckets: ${v.with_rows} hold rows, ${v.in_flight} copies belong to moves in flight, ${v.problems.length} problem${v.problems.length === 1 ? "" : "s"}`;
  if (v.problems.length === 0) return `${head}\nevery bucket's rows are on its owner only, and every shard holds what the map says`;
  return `${head}\n${table(["bucket", "shard", "problem", "detail"], v.problems.slice(0, 50).map((p) => [p.bucket, p.shard, p.kind, p.detail]))}`;
}
