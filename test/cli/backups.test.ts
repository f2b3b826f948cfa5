import { describe, expect, it } from "vitest";
import { commandSpec, pickCommand } from "../../cli/lib/admin-commands.ts";
import type { AdminResponse } from "../../cli/lib/admin-client.ts";
import { readArgs, UsageError } from "../../cli/lib/args.ts";
import { formatBackups, formatRestore, formatRollback } from "../../cli/lib/backup-format.ts";
import { backupBuckets, restoreBuckets } from "../../cli/lib/backup-runner.ts";
import { SHARD_COMMANDS, pitrTarget, restoreScope, type ShardCommand } from "../../cli/lib/shard-commands.ts";
import type { ManifestBucket, RestoreResponse } from "../../src/router/endpoints/admin/backup-responses.ts";

const specOf = (name: ShardCommand) => commandSpec("shards", name, SHARD_COMMANDS[name].summary, SHARD_COMMANDS[name].options);

function read(...argv: string[]) {
  const picked = pickCommand(Object.keys(SHARD_COMMANDS), argv);
  if (picked === "help") return "help";
  const parsed = readArgs(specOf(picked.name as ShardCommand), picked.rest);
  return parsed.help ? "help" : parsed.values;
}

function error(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error("accepted");
}

const entry = (bucket: number): ManifestBucket => ({ bucket, shard: "shard-0", key: `backups/x/bucket-${bucket}.ndjson.gz`, bytes: 1000, sha256: "a".repeat(64), taken_at: 0, rows: 7, users: 1, tables: {} });
const restored = (bucket: number, extra: Partial<RestoreResponse> = {}): RestoreResponse => ({
  backup_id: "20260321T101500Z-1a2b3c", bucket, shard: "shard-0", previous_owner: null, outcome: "restored", rows: 7, users: 1, replaced: 0, tables: {}, ms: 3,
  email_index: { users: 1, added: 0, conflicts: [] }, ...extra,
});
const refusal = (status: number, error: string, description: string): AdminResponse => ({ status, body: { error, error_description: description } });


describe("npm run shards -- backup | restore | backups | pitr: command lines", () => {
  it("reads good command lines", () => {
    expect(read("backup", "--concurrency", "16")).toMatchObject({ concurrency: 16, json: false });
    expect(read("restore", "--bucket", "42", "--backup", "20260321T101500Z-1a2b3c", "--to", "shard-3", "--force")).toMatchObject({ bucket: 42, backup: "20260321T101500Z-1a2b3c", to: "shard-3", force: true, all: false });
    expect(read("restore", "--all")).toMatchObject({ all: true, force: false });
    expect(read("backups", "--limit", "5")).toMatchObject({ limit: 5 });
    expect(read("pitr", "--shard", "shard-2", "--at", "2026-03-21T10:15:00+02:00")).toMatchObject({ shard: "shard-2", at: "2026-03-21T08:15:00.000Z" });
    expect(restoreScope(7, false)).toBe(7);
    expect(restoreScope(undefined, true)).toBe("all");
    expect(pitrTarget(undefined, "bm")).toEqual({ bookmark: "bm" });
  });

  it("refuses bad ones with a message that names the problem", () => {
    expect(error(() => read("restore", "--backup", "latest", "--all"))).toBe("--backup must be a backup id like 20260321T101500Z-1a2b3c (see `backups`), got 'latest'");
    expect(error(() => read("restore", "--bucket", "4096"))).toBe("--bucket must be a bucket number between 0 and 4095, got '4096'");
    expect(error(() => read("restore", "--all", "--to", "2"))).toBe("--to must be a shard name like shard-3 (see `status`), got '2'");
    expect(error(() => read("backup", "--concurrency", "0"))).toBe("--concurrency must be an integer between 1 and 32, got '0'");
    expect(error(() => read("pitr", "--at", "2026-03-21T10:15:00Z"))).toBe("--shard is required");
    expect(error(() => read("pitr", "--shard", "shard-2", "--at", "2026-03-21 10:15"))).toBe("--at must be an ISO 8601 time with a zone, e.g. 2026-03-21T10:15:00Z, got '2026-03-21 10:15'");
    expect(error(() => read("pitr", "--shard", "shard-2", "--at", "2026-03-21T10:15:00"))).toMatch(/^--at must be an ISO 8601 time with a zone/);
    expect(error(() => restoreScope(undefined, false))).toBe("restore needs --bucket B or --all");
    expect(error(() => restoreScope(3, true))).toBe("give --bucket B or --all, not both");
    expect(error(() => pitrTarget(undefined, undefined))).toBe("pitr needs --at TIME (or --bookmark B)");
    expect(error(() => pitrTarget("2026-03-21T10:15:00.000Z", "bm"))).toBe("give --at TIME or --bookmark B, not both");
  });
});

describe("npm run shards -- backup | restore: the bucket runner", () => {
  it("backs up every bucket, retrying what may pass (503, a held lease) and recording what will not", async () => {
    const calls = new Map<number, number>();
    const send = async (bucket: number): Promise<AdminResponse> => {
      const n = (calls.get(bucket) ?? 0) + 1;
      calls.set(bucket, n);
      if (bucket === 2 && n === 1) return refusal(503, "temporarily_unavailable", "shard-1 could not back up bucket 2");
      if (bucket === 3) return refusal(400, "invalid_request", "shard-0 refused to back up bucket 3");
      return { status: 200, body: { entry: entry(bucket) } };
    };
    const run = await backupBuckets(send, [1, 2, 3, 4], { concurrency: 2, progress: false });
    expect(run.entries.map((e) => e.bucket)).toEqual([1, 2, 4]);
    expect(run.failed).toEqual([{ bucket: 3, error: "invalid_request", message: "shard-0 refused to back up bucket 3" }]);
    expect(calls.get(2)).toBe(2);
    expect(calls.get(3)).toBe(1);
  });

  it("restores bucket by bucket: a refused bucket fails alone, and the summary says what to do about it", async () => {
    const send = async (bucket: number): Promise<AdminResponse> => {
      if (bucket === 5) return refusal(409, "bucket_not_empty", "shard-1 holds 9 rows of bucket 5 that are not the backup's; nothing was written (--force replaces them)");
      if (bucket === 6) return refusal(422, "backup_corrupt", "backups/x/bucket-0006.ndjson.gz has SHA-256 …; nothing was written");
      if (bucket === 7) return { status: 200, body: restored(7, { outcome: "already_restored" }) };
      return { status: 200, body: restored(bucket, { previous_owner: "shard-0", shard: "shard-2", email_index: { users: 1, added: 1, conflicts: bucket === 8 ? [{ email: "a@example.com", user_id: "u8", held_by: "u9" }] : [] } }) };
    };
    const run = await restoreBuckets(send, [5, 6, 7, 8], { concurrency: 4, progress: false });
    expect(run.restored.map((r) => r.bucket)).toEqual([7, 8]);
    expect(run.failed.map((f) => [f.bucket, f.error])).toEqual([[5, "bucket_not_empty"], [6, "backup_corrupt"]]);
    const text = formatRestore("20260321T101500Z-1a2b3c", run);
    expect(text).toContain("4 buckets: 1 restored, 1 already restored, 2 failed");
    expect(text).toContain("checksums equal to the manifest's for all 2 restored buckets");
    expect(text).toContain("1 bucket changed owner: shard-0 → shard-2 ×1");
    expect(text).toContain("email index: 1 address added back, 1 held by another user (not changed)");
    expect(text).toMatch(/a@example\.com\s+u8\s+u9/);
    expect(text).toContain("--force replaces their rows with the backup's");
    expect(text).toContain("restore those buckets from another backup");
  });
});

describe("npm run shards -- backups | pitr: output", () => {
  it("lists backups as a table, and says when there are none", () => {
    expect(formatBackups([])).toBe("no backups yet: `npm run shards -- backup` makes one");
    const text = formatBackups([
      { backup_id: "20260321T101500Z-1a2b3c", state: "complete", created_at: Date.UTC(2026, 2, 21, 10, 15), finished_at: 0, map_version: 3, totals: { buckets: 1234, empty_buckets: 2862, rows: 80012, users: 10000, bytes: 3 * 1024 * 1024 } },
      { backup_id: "20260320T101500Z-000000", state: "incomplete", created_at: Date.UTC(2026, 2, 20, 10, 15), finished_at: null, map_version: null, totals: null },
    ]);
    expect(text.split("\n")[1]).toMatch(/^20260321T101500Z-1a2b3c\s+complete\s+2026-03-21T10:15:00Z\s+1,234\s+10,000\s+80,012\s+3\.0 MiB$/);
    expect(text.split("\n")[2]).toMatch(/^20260320T101500Z-000000\s+incomplete\s+2026-03-20T10:15:00Z\s+\?\s+\?\s+\?\s+\?$/);
  });

  it("tells how to undo a rollback and what to check after it", () => {
    const text = formatRollback({ shard: "shard-2", at: Date.UTC(2026, 2, 21, 10, 15), bookmark: "b1", undo_bookmark: "b0", moves_since: [] });
    expect(text).toContain("shard-2 rolled back to its state at 2026-03-21T10:15:00Z");
    expect(text).toContain("to undo: npm run shards -- pitr --shard shard-2 --bookmark b0");
    expect(text).toContain("then: npm run shards -- verify");
  });
});
