// Drives backups and restores bucket by bucket through the operator API: K buckets at a
// time, a progress line on stderr, retries of transient failures, and a summary. The
// shards read and write the rows; this is their client, one request per bucket.
import { ProgressLine } from "./progress-line.ts";
import type { BackupBucketResponse, ManifestBucket, RestoreResponse } from "../../src/router/endpoints/admin/backup-responses.ts";
import type { AdminResponse } from "./admin-client.ts";
import { errorCode, errorMessage } from "./admin-client.ts";
import { okBody } from "./admin-commands.ts";
import { duration } from "./move-runner.ts";
import { parallel } from "./parallel.ts";

/** What a bucket's request may be tried again for: the network, a shard or R2 failing for a moment, a lease held briefly. */
const ATTEMPTS = 4;
const RETRY_MS = 500;

export interface BucketFailure {
  bucket: number;
  /** The operator API's error code (`bucket_not_empty`, `backup_corrupt`, ...), or `network`. */
  error: string;
  message: string;
}

export interface BackupRun {
  entries: ManifestBucket[];
  failed: BucketFailure[];
  seconds: number;
}

export interface RestoreRun {
  restored: RestoreResponse[];
  failed: BucketFailure[];
  seconds: number;
}

export interface RunnerOptions {
  concurrency: number;
  progress: boolean;
}

/** Backs up every listed bucket of a running backup; failures are collected, not thrown. */
export async function backupBuckets(send: (bucket: number) => Promise<AdminResponse>, buckets: readonly number[], options: RunnerOptions): Promise<BackupRun> {
  const started = Date.now();
  const progress = bucketProgress("backed up", buckets.length, options.progress);
  const entries: ManifestBucket[] = [];
  const failed: BucketFailure[] = [];
  await parallel(buckets, options.concurrency, async (bucket) => {
    const answer = await withRetries(() => send(bucket));
    if ("failure" in answer) failed.push({ bucket, ...answer.failure });
    else entries.push(okBody<BackupBucketResponse>(answer.res, [200]).entry);
    progress.update(entries.length + failed.length, entries.reduce((sum, e) => sum + e.bytes, 0));
  });
  progress.finish();
  entries.sort((a, b) => a.bucket - b.bucket);
  failed.sort((a, b) => a.bucket - b.bucket);
  return { entries, failed, seconds: (Date.now() - started) / 1000 };
}

/** Restores the buckets one request each; a refusal (not empty, corrupt, ...) fails that bucket only. */
export async function restoreBuckets(send: (bucket: number) => Promise<AdminResponse>, buckets: readonly number[], options: RunnerOptions): Promise<RestoreRun> {
  const started = Date.now();
  const progress = bucketProgress("restored", buckets.length, options.progress);
  const restored: RestoreResponse[] = [];
  const failed: BucketFailure[] = [];
  await parallel(buckets, options.concurrency, async (bucket) => {
    const answer = await withRetries(() => send(bucket));
    if ("failure" in answer) failed.push({ bucket, ...answer.failure });
    else restored.push(okBody<RestoreResponse>(answer.res, [200]));
    progress.update(restored.length + failed.length, restored.reduce((sum, r) => sum + r.rows, 0), "rows");
  });
  progress.finish();
  restored.sort((a, b) => a.bucket - b.bucket);
  failed.sort((a, b) => a.bucket - b.bucket);
  return { restored, failed, seconds: (Date.now() - started) / 1000 };
}

type Answer = { res: AdminResponse } | { failure: Omit<BucketFailure, "bucket"> };

/** A 200, or the refusal; retried while the failure may pass (network, 503, another operator's lease). */
async function withRetries(send: () => Promise<AdminResponse>): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    let res: AdminResponse;
    try {
      res = await send();
    } catch (error) {
      if (attempt >= ATTEMPTS) return { failure: { error: "network", message: error instanceof Error ? error.message : String(error) } };
      await sleep(RETRY_MS * attempt);
      continue;
    }
    if (res.status === 200) return { res };
    const code = errorCode(res) ?? `http_${res.status}`;
    const transient = res.status === 503 || res.status === 500 || code === "lease_held" || code === "map_changed";
    if (!transient || attempt >= ATTEMPTS) return { failure: { error: code, message: errorMessage(res) } };
    await sleep(RETRY_MS * attempt);
  }
}

/** The backup and restore progress line: buckets done, their rate, and the bytes or rows so far. */
function bucketProgress(verb: string, total: number, enabled: boolean) {
  let shown = "";
  const line = new ProgressLine(total, enabled, (f) => `${verb} ${f.done}/${f.total} buckets  ${f.rate.toFixed(1)} buckets/s  ${shown}  ETA ${duration(f.eta)}`);
  return {
    update(done: number, amount: number, unit: "bytes" | "rows" = "bytes"): void {
      shown = unit === "bytes" ? formatBytes(amount) : `${amount.toLocaleString("en-US")} rows`;
      line.update(done);
    },
    finish: () => line.finish(),
  };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
