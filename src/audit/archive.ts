import type { AuditRecord } from "./message";

/**
 * The audit archive in R2: gzip NDJSON, one line per event, under Hive-style partitions
 *
 *   audit/dt=2026-11-29/hour=03/<digest>.ndjson.gz
 *
 * so query engines (DuckDB's hive_partitioning, R2 SQL over a catalog built from it)
 * prune by day and hour. The object name is a digest of the event ids it holds: a batch
 * delivered twice writes the same object twice, never a second copy of its events.
 */
export const ARCHIVE_PREFIX = "audit/";

export function partitionOf(at: number): string {
  const iso = new Date(at).toISOString();
  return `${ARCHIVE_PREFIX}dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/`;
}

/** The partition prefixes covering [since, until), oldest first. */
export function partitionsBetween(since: number, until: number): string[] {
  const hour = 3_600_000;
  const out: string[] = [];
  for (let t = Math.floor(since / hour) * hour; t < until; t += hour) out.push(partitionOf(t));
  return out;
}

async function digestOf(records: readonly AuditRecord[]): Promise<string> {
  const ids = records.map((r) => r.id).sort().join("\n");
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(ids)));
  let hex = "";
  for (const b of hash.subarray(0, 16)) hex += b.toString(16).padStart(2, "0");
  return hex;
}

export async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

export async function gunzip(body: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(body.pipeThrough(new DecompressionStream("gzip"))).text();
}

/** Writes the records, one object per hour partition they fall in. Returns the keys written. */
export async function archiveRecords(bucket: R2Bucket, records: readonly AuditRecord[]): Promise<string[]> {
  const byPartition = new Map<string, AuditRecord[]>();
  for (const record of records) {
    const key = partitionOf(record.at);
    const list = byPartition.get(key);
    if (list) list.push(record);
    else byPartition.set(key, [record]);
  }
  const keys: string[] = [];
  for (const [partition, part] of byPartition) {
    part.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const key = `${partition}${await digestOf(part)}.ndjson.gz`;
    const body = await gzip(part.map((r) => JSON.stringify(r)).join("\n") + "\n");
    await bucket.put(key, body, {
      httpMetadata: { contentType: "application/x-ndjson", contentEncoding: "gzip" },
      customMetadata: { events: String(part.length), first_at: String(part[0]!.at), last_at: String(part[part.length - 1]!.at) },
    });
    keys.push(key);
  }
  return keys;
}

/** Reads one archive object back into records (skipping lines that do not parse). */
export async function readArchiveObject(object: R2ObjectBody): Promise<AuditRecord[]> {
  const text = await gunzip(object.body);
  const out: AuditRecord[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      out.push(JSON.parse(line) as AuditRecord);
    } catch {
      // a damaged line costs that line, not the object
    }
  }
  return out;
}
