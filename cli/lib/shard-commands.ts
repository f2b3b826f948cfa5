// The command line of `npm run shards`: each command's summary and options, with the
// checks that refuse a bad value, before anything is sent, with a message that names it.
import { BUCKET_COUNT, MAX_SHARDS } from "../../src/shard/limits.ts";
import { integerIn, UsageError, type Options, type OptionSpec } from "./args.ts";

/** Bucket moves in flight at once, at most (`--concurrency`). */
export const MAX_CONCURRENCY = 32;

function positiveRate(raw: string, flag: string): number {
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${flag} must be a positive number of moves per second (e.g. 2 or 0.5), got '${raw}'`);
  }
  return value;
}

function shardName(raw: string, flag: string): string {
  if (!/^shard-\d+$/.test(raw)) throw new UsageError(`${flag} must be a shard name like shard-3 (see \`status\`), got '${raw}'`);
  return raw;
}

function planBy(raw: string, flag: string): "buckets" | "load" {
  if (raw !== "buckets" && raw !== "load") throw new UsageError(`${flag} must be buckets or load, got '${raw}'`);
  return raw;
}

const bucket = integerIn(0, BUCKET_COUNT - 1, "a bucket number");
const shards = { type: "string", required: true, placeholder: "N", description: `Number of shards to spread the buckets over (1..${MAX_SHARDS}).`, parse: integerIn(1, MAX_SHARDS) } as const satisfies OptionSpec;
const by = { type: "string", placeholder: "buckets|load", description: "Balance bucket counts (default) or requests over the last 15 minutes.", parse: planBy } as const satisfies OptionSpec;
const concurrency = { type: "string", placeholder: "K", description: `Moves in flight at once (1..${MAX_CONCURRENCY}, default 4).`, parse: integerIn(1, MAX_CONCURRENCY) } as const satisfies OptionSpec;

export const SHARD_COMMANDS = {
  status: { summary: "Map version, shards with buckets, users and recent requests, moves in flight.", options: {} },
  plan: {
    summary: "Dry run: the moves a rebalance to N shards would make, as a table.",
    options: { shards, by, all: { type: "boolean", description: "List every move, not just the first 20." } },
  },
  "add-shard": { summary: "Add an empty shard to the map (buckets reach it by moves).", options: {} },
  move: {
    summary: "Move one bucket to another shard, now.",
    options: {
      bucket: { type: "string", required: true, placeholder: "B", description: `Bucket number (0..${BUCKET_COUNT - 1}); \`npm run users -- get\` shows a user's.`, parse: bucket },
      to: { type: "string", required: true, placeholder: "SHARD", description: "Target shard, e.g. shard-2.", parse: shardName },
    },
  },
  rebalance: {
    summary: "Plan and execute the moves to N shards, with a progress bar, throughput and ETA.",
    options: { shards, by, concurrency, "max-rate": { type: "string", placeholder: "R", description: "Start at most R moves per second (default: no limit).", parse: positiveRate } },
    notes: "Interrupted (Ctrl-C, crash)? Run `resume`: moves continue from their recorded step.",
  },
  resume: {
    summary: "Finish every open move (after a crash), or roll them back with --rollback.",
    options: { rollback: { type: "boolean", description: "Undo open moves that have not flipped yet; cancel those not started." }, concurrency },
  },
  verify: {
    summary: "Checksum every bucket on every shard against the directory's map.",
    options: {
      from: { type: "string", placeholder: "B", description: "First bucket (default 0).", parse: bucket },
      to: { type: "string", placeholder: "B", description: `Last bucket (default ${BUCKET_COUNT - 1}).`, parse: bucket },
    },
  },
} as const satisfies Record<string, { summary: string; options: Options; notes?: string }>;

export type ShardCommand = keyof typeof SHARD_COMMANDS;

/** The buckets `verify` checks: --from to --to, by default all of them. */
export function verifyRange(from: number | undefined, to: number | undefined): { first: number; last: number } {
  const first = from ?? 0;
  const last = to ?? BUCKET_COUNT - 1;
  if (first > last) throw new UsageError(`--from (${first}) must not be after --to (${last})`);
  return { first, last };
}
