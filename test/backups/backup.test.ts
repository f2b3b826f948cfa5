import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { admin, json } from "../helpers/http";
import { seedBucket } from "../rebalance/seed";
import { checksumAt, ownerOf } from "../rebalance/helpers";
import { confidentialApp, gunzipLines, objectBytes, runBackup, sha256, signedInUser, type App } from "./helpers";

let app: App;

beforeAll(async () => {
  app = await confidentialApp();
});

describe("backing up shard data to R2", () => {
  it("writes one object per bucket that holds rows, and a manifest that lists and checksums each", async () => {
    const alice = await signedInUser(app);
    const bob = await signedInUser(app);
    const { id, listed, manifest } = await runBackup();

    // Only buckets with rows are visited; every other bucket of the 4096 costs nothing.
    const withRows = [...new Set([alice.bucket, bob.bucket])].sort((a, b) => a - b);
    expect(listed).toEqual(withRows);
    expect(manifest).toMatchObject({ format: "authshard-backup/1", backup_id: id, bucket_count: 4096, consistency: "per-bucket" });
    expect(manifest.totals).toMatchObject({ buckets: withRows.length, empty_buckets: 4096 - withRows.length, users: 2 });
    expect(manifest.buckets.map((b) => b.bucket)).toEqual(withRows);
    expect(id).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);

    for (const entry of manifest.buckets) {
      // The owner wrote it, the checksums are what `verify` computes on the owner, and the object is what R2 holds.
      const { shard } = await ownerOf(entry.bucket);
      expect(entry.shard).toBe(shard);
      expect(entry.tables).toEqual(await checksumAt(shard, entry.bucket));
      expect(entry.key).toBe(`backups/${id}/bucket-${String(entry.bucket).padStart(4, "0")}.ndjson.gz`);
      const bytes = await objectBytes(entry.key);
      expect(bytes.byteLength).toBe(entry.bytes);
      expect(await sha256(bytes)).toBe(entry.sha256);
      // gzip NDJSON: a header naming the bucket and the columns, then one line per row.
      const [header, ...rows] = (await gunzipLines(bytes)) as [{ format: string; bucket: number; tables: Record<string, string[]> }, ...Array<{ t: string; r: unknown[] }>];
      expect(header).toMatchObject({ format: "authshard-bucket/1", bucket: entry.bucket });
      expect(header.tables.users).toContain("email");
      expect(rows.length).toBe(entry.rows);
      for (const [table, sum] of Object.entries(entry.tables)) expect(rows.filter((r) => r.t === table).length).toBe(sum.rows);
    }
    const mine = manifest.buckets.find((b) => b.bucket === alice.bucket)!;
    expect(mine.tables.grants!.rows).toBeGreaterThanOrEqual(1);
    expect(mine.tables.refresh_tokens!.rows).toBeGreaterThanOrEqual(1);
    expect(mine.tables.sessions!.rows).toBeGreaterThanOrEqual(1);

    // The listing shows it, newest first, from the manifest's metadata.
    const listing = await json<{ backups: Array<{ backup_id: string; state: string; totals: { users: number } }> }>(await admin("GET", "/backups"));
    expect(listing.backups[0]).toMatchObject({ backup_id: id, state: "complete", totals: { users: 2 } });
    const manifestObject = await env.BACKUPS.head(`backups/${id}/manifest.json`);
    expect(manifestObject).not.toBeNull();
  });

  it("reads a bucket of 1,000 users in one snapshot whose checksum matches the owner's", async () => {
    const { shard } = await ownerOf(77);
    await seedBucket(shard, 77, 1_000);
    const { manifest } = await runBackup();
    const entry = manifest.buckets.find((b) => b.bucket === 77)!;
    expect(entry.users).toBe(1_000);
    expect(entry.rows).toBe(7_000);
    expect(entry.tables).toEqual(await checksumAt(shard, 77));
    // gzip keeps the object small: a few hundred bytes per user at most.
    expect(entry.bytes).toBeLessThan(1_000 * 300);
  });

  it("finishes only once every listed bucket is backed up, and a finished backup takes no more buckets", async () => {
    const user = await signedInUser(app);
    const started = await json<{ backup_id: string; buckets: number[] }>(await admin("POST", "/backups"));
    expect(started.buckets).toContain(user.bucket);
    const early = await admin("POST", `/backups/${started.backup_id}/finish`);
    expect(early.status).toBe(409);
    expect(await json(early)).toMatchObject({ error: "backup_incomplete", error_description: expect.stringContaining(String(user.bucket)) });
    // A running backup without a manifest is listed as running; restoring from it is refused.
    const listing = await json<{ backups: Array<{ backup_id: string; state: string }> }>(await admin("GET", "/backups"));
    expect(listing.backups.find((b) => b.backup_id === started.backup_id)?.state).toBe("running");
    expect((await admin("GET", `/backups/${started.backup_id}`)).status).toBe(404);

    const empty = [...Array(4096).keys()].find((b) => !started.buckets.includes(b))!;
    const unlisted = await admin("POST", `/backups/${started.backup_id}/buckets/${empty}`);
    expect(unlisted.status).toBe(404);
    expect(await json(unlisted)).toMatchObject({ error_description: `bucket ${empty} held no rows when backup ${started.backup_id} started` });
    for (const bucket of started.buckets) expect((await admin("POST", `/backups/${started.backup_id}/buckets/${bucket}`)).status).toBe(200);
    expect((await admin("POST", `/backups/${started.backup_id}/finish`)).status).toBe(200);
    const late = await admin("POST", `/backups/${started.backup_id}/buckets/${user.bucket}`);
    expect(late.status).toBe(400);
    expect(await json(late)).toMatchObject({ error: "invalid_request", error_description: expect.stringMatching(/is finished/) });
  });

  it("refuses malformed ids and buckets with a 400 that names them", async () => {
    for (const [method, path, message] of [
      ["GET", "/backups/latest", /not a backup id: "latest"/],
      ["POST", "/backups/20260101T000000Z-zzzzzz/finish", /not a backup id/],
      ["POST", "/backups/20260101T000000Z-abcdef/buckets/4096", /bucket must be an integer between 0 and 4095/],
      ["GET", "/backups?limit=0", /limit must be an integer between 1 and 100/],
    ] as const) {
      const res = await admin(method, path);
      expect(res.status, path).toBe(400);
      expect((await json<{ error_description: string }>(res)).error_description).toMatch(message);
    }
    expect((await admin("GET", "/backups/20260101T000000Z-abcdef")).status).toBe(404);
  });
});
