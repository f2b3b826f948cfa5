// Drives bucket moves through the operator API: K at a time, at most R started per
// second, with a progress line (bar, throughput, ETA, longest fence) on stderr. The
// directory takes each move's steps; this is its client, one request per move.
import { ProgressLine } from "./progress-line.ts";
import { build } from "hdr-histogram-js";
import type { MoveView, RunMoveResponse, ShardsErrorCode } from "../../src/router/endpoints/admin/shard-responses.ts";
import { CliError } from "./args.ts";
import type { AdminClient } from "./admin-client.ts";
import { errorCode, errorMessage } from "./admin-client.ts";
import { okBody } from "./admin-commands.ts";
import { parallel } from "./parallel.ts";

/** What the runner reads of a move. */
export type Move = Pick<MoveView, "id" | "bucket" | "from" | "to" | "step" | "fence_ms" | "users" | "error">;

export interface RunSummary {
  moves: number;
  done: number;
  rolled_back: number;
  failed: Array<{ id: number; bucket: number; step: string; error: string }>;
  users_moved: number;
  seconds: number;
  moves_per_second: number;
  fence_ms: { max: number; p50: number; p99: number };
  interrupted: boolean;
}

export interface RunOptions {
  holder: string;
  concurrency: number;
  /** Moves started per second at most; undefined = no limit. */
  maxRate?: number;
  rollback?: boolean;
  progress: boolean;
}

const LEASE_WAIT_MS = 1_000;
const LEASE_HELD: ShardsErrorCode = "lease_held";
/** Fences are recorded up to an hour (a fence that long is a failed move anyway). */
const LONGEST_FENCE_MS = 3_600_000;

/** Runs every move to its end (done or rolled back); failures are collected, not thrown. */
export async function runMoves(client: AdminClient, moves: readonly Move[], options: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const fences = build({ lowestDiscernibleValue: 1, highestTrackableValue: LONGEST_FENCE_MS, numberOfSignificantValueDigits: 3 });
  let longestFence = 0;
  const summary: RunSummary = { moves: moves.length, done: 0, rolled_back: 0, failed: [], users_moved: 0, seconds: 0, moves_per_second: 0, fence_ms: { max: 0, p50: 0, p99: 0 }, interrupted: false };
  const progress = moveProgress(moves.length, options.progress);
  let finished = 0;
  let nextStartAt = Date.now();
  let stopping = false;
  const stop = () => {
    stopping = true;
    summary.interrupted = true;
    process.stderr.write("\ninterrupted: letting moves in flight finish; run `npm run shards -- resume` to continue\n");
  };
  process.once("SIGINT", stop);

  // After an interrupt the moves not started yet are passed over; those in flight finish.
  await parallel(moves, options.concurrency, async (move) => {
    if (stopping) return;
    if (options.maxRate) {
      const wait = nextStartAt - Date.now();
      nextStartAt = Math.max(nextStartAt, Date.now()) + 1000 / options.maxRate;
      if (wait > 0) await sleep(wait);
    }
    const result = await runOne(client, move, options);
    if (result.step === "done") {
      summary.done++;
      summary.users_moved += result.users ?? 0;
    } else if (result.step === "rolled_back") summary.rolled_back++;
    if (result.fence_ms !== null) {
      fences.recordValue(Math.min(result.fence_ms, LONGEST_FENCE_MS));
      longestFence = Math.max(longestFence, result.fence_ms);
    }
    if (result.step !== "done" && !(options.rollback && result.step === "rolled_back")) {
      summary.failed.push({ id: move.id, bucket: move.bucket, step: result.step, error: result.error ?? "did not finish" });
    }
    finished++;
    progress.update(finished, longestFence, summary.users_moved);
  }).finally(() => process.removeListener("SIGINT", stop));
  progress.finish();
  summary.seconds = (Date.now() - started) / 1000;
  summary.moves_per_second = summary.seconds > 0 ? round((summary.done + summary.rolled_back) / summary.seconds) : 0;
  summary.fence_ms = { max: longestFence, p50: fences.getValueAtPercentile(50), p99: fences.getValueAtPercentile(99) };
  return summary;
}

/** One move through the API; waits out another holder's lease, retries transport errors a few times. */
async function runOne(client: AdminClient, move: Move, options: RunOptions): Promise<Move> {
  const body = { holder: options.holder, ...(options.rollback ? { rollback: true } : {}) };
  for (let attempt = 0; ; attempt++) {
    let res;
    try {
      res = await client.request("POST", `/admin/shards/moves/${move.id}/run`, body);
    } catch (error) {
      if (attempt >= 3) return { ...move, error: error instanceof Error ? error.message : String(error) };
      await sleep(500 * (attempt + 1));
      continue;
    }
    if (res.status === 409 && errorCode(res) === LEASE_HELD) {
      if (attempt === 0) process.stderr.write(`waiting: ${errorMessage(res)}\n`);
      await sleep(LEASE_WAIT_MS);
      continue;
    }
    if (res.status !== 200) throw new CliError(`move ${move.id} (bucket ${move.bucket}): ${errorMessage(res)}`);
    const ran = okBody<RunMoveResponse>(res, [200]);
    return { ...ran.move, error: ran.error ?? ran.move.error };
  }
}

/** The rebalance progress line: a bar, moves and users per second, the longest fence so far. */
function moveProgress(total: number, enabled: boolean) {
  let longestFence = 0;
  let users = 0;
  const line = new ProgressLine(total, enabled, (f) => {
    const width = 24;
    const filled = f.total ? Math.round((f.done / f.total) * width) : width;
    return (
      `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${f.done}/${f.total} ${Math.floor((f.done / Math.max(1, f.total)) * 100)}%` +
      `  ${f.rate.toFixed(1)} moves/s  ${Math.round(users / Math.max(f.elapsed, 0.001))} users/s  ETA ${duration(f.eta)}  longest fence ${longestFence} ms`
    );
  });
  return {
    update(done: number, fence: number, moved: number): void {
      longestFence = fence;
      users = moved;
      line.update(done);
    },
    finish: () => line.finish(),
  };
}

export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

const round = (n: number) => Math.round(n * 100) / 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
