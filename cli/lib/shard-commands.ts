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

/** Backup ids sort in time order: `20260321T101500Z-1a2b3c` (see src/shard/backup-manifest.ts). */
function backupId(raw: string, flag: string): string {
  if (!/^\d{8}T\d{6}Z-[0-9a-f]{6}$/.test(raw)) throw new UsageError(`${flag} must be a backup id like 20260321T101500Z-1a2b3c (see \`backups\`), got '${raw}'`);
  return raw;
}

/** A time with its zone, so it means one instant wherever the command runs. */
function isoTime(raw: string, flag: string): string {
  const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw);
  const time = Date.parse(raw);
  if (!zoned || !Number.isFinite(time)) throw new UsageError(`${flag} must be an ISO 8601 time with a zone, e.g. 2026-03-21T10:15:00Z, got '${raw}'`);
  return new Date(time).toISOString();
}

const bucket = integerIn(0, BUCKET_COUNT - 1, "a bucket number");
const shards = { type: "string", required: true, placeholder: "N", description: `Number of shards to spread the buckets over (1..${MAX_SHARDS}).`, parse: integerIn(1, MAX_SHARDS) } as const satisfies OptionSpec;
const by = { type: "string", placeholder: "buckets|load", description: "Balance bucket counts (default) or requests over the last 15 minutes.", parse: planBy } as const satisfies OptionSpec;
const backupConcurrency = { type: "string", placeholder: "K", description: `Buckets in flight at once (1..${MAX_CONCURRENCY}, default 8).`, parse: integerIn(1, MAX_CONCURRENCY) } as const satisfies OptionSpec;
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
  backup: {
    summary: "Back up every bucket that holds rows to R2 (BACKUPS): one object per bucket, then the manifest.",
    options: { concurrency: backupConcurrency },
    notes: "Each bucket is a consistent snapshot of itself; the backup as a whole is not one instant (see docs/operations.md).",
  },
  backups: {
    summary: "List the backups in R2, newest first.",
    options: { limit: { type: "string", placeholder: "N", description: "How many (1..100, default 20).", parse: integerIn(1, 100) } },
  },
  restore: {
    summary: "Restore one bucket (--bucket B) or every bucket of a backup (--all) into its owner, or into --to.",
    options: {
      bucket: { type: "string", placeholder: "B", description: `The bucket to restore (0..${BUCKET_COUNT - 1}).`, parse: bucket },
      all: { type: "boolean", description: "Restore every bucket the backup holds." },
      backup: { type: "string", placeholder: "ID", description: "The backup (default: the newest complete one; see `backups`).", parse: backupId },
      to: { type: "string", placeholder: "SHARD", description: "Restore into this shard, which then owns the bucket (default: the bucket's owner).", parse: shardName },
      force: { type: "boolean", description: "Replace rows the bucket holds now (otherwise such a bucket is refused)." },
      concurrency: backupConcurrency,
    },
    notes: "A bucket that already holds exactly the backup's rows is left as it is, so a restore may simply be run again.",
  },
  pitr: {
    summary: "Roll a whole shard back to a time within 30 days (Durable Object point-in-time recovery).",
    options: {
      shard: { type: "string", required: true, placeholder: "SHARD", description: "The shard, e.g. shard-2.", parse: shardName },
      at: { type: "string", placeholder: "TIME", description: "ISO 8601 time with a zone, e.g. 2026-03-21T10:15:00Z.", parse: isoTime },
      bookmark: { type: "string", placeholder: "B", description: "A bookmark instead of a time (the undo bookmark a rollback printed)." },
      force: { type: "boolean", description: "Roll back even though buckets moved to or from the shard since then." },
    },
    notes: "Works on Cloudflare only; a local provider answers that it keeps no history.",
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

/** `restore` takes exactly one of --bucket B and --all. */
export function restoreScope(bucket: number | undefined, all: boolean): number | "all" {
  if (all && bucket !== undefined) throw new UsageError("give --bucket B or --all, not both");
  if (!all && bucket === undefined) throw new UsageError("restore needs --bucket B or --all");
  return all ? "all" : bucket!;
}

/** `pitr` takes exactly one of --at TIME and --bookmark B. */
export function pitrTarget(at: string | undefined, bookmark: string | undefined): { at: string } | { bookmark: string } {
  if (at !== undefined && bookmark !== undefined) throw new UsageError("give --at TIME or --bookmark B, not both");
  if (at === undefined && bookmark === undefined) throw new UsageError("pitr needs --at TIME (or --bookmark B)");
  return at !== undefined ? { at } : { bookmark: bookmark! };
}
