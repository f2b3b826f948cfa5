import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { sameChecksum } from "../../src/shard/checksum";
import { stubFor } from "../../src/shard/stub";
import { admin, call, json } from "../helpers/http";
import { authorizeUrl, REDIRECT_URI } from "../helpers/oidc";
import { rowsIn } from "../helpers/shards";
import { bucketRows, checksumAt, expireLease, otherShard, ownerOf } from "../rebalance/helpers";
import { confidentialApp, loseBucket, refresh, restore, runBackup, signedInUser, type App, type SignedIn } from "./helpers";

type Restored = { outcome: string; shard: string; previous_owner: string | null; rows: number; users: number; replaced: number; tables: Record<string, { rows: number; sha256: string }>; email_index: { users: number; added: number; conflicts: unknown[] } };
type Refusal = { error: string; error_description: string };

let app: App;

beforeAll(async () => {
  app = await confidentialApp();
});
afterEach(expireLease);

/** What a signed-in user's client and browser can still do: refresh (RFC 6749 §6), /userinfo, a silent /authorize. */
async function stillWorks(user: SignedIn): Promise<string> {
  const rotated = await refresh(app, user.refresh);
  expect(rotated.status).toBe(200);
  const tokens = await json<{ access_token: string; refresh_token: string }>(rotated);
  expect((await call("/userinfo", { headers: { Authorization: `Bearer ${tokens.access_token}` } })).status).toBe(200);
  const silent = await user.browser.get(authorizeUrl({ client_id: app.clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", prompt: "none", state: "s", nonce: "n" }));
  expect(silent.status).toBe(302);
  expect(new URL(silent.headers.get("location")!).searchParams.get("code")).toMatch(/^c\./);
  return tokens.refresh_token;
}

describe("restoring a bucket from a backup", () => {
  it("brings a lost bucket back with identical checksums: refresh tokens, sessions and sign-in work again", async () => {
    const user = await signedInUser(app);
    const { shard } = await ownerOf(user.bucket);
    const before = await checksumAt(shard, user.bucket);
    const { id, manifest } = await runBackup();

    await loseBucket(shard, user.bucket);
    await env.DB.prepare("DELETE FROM user_emails WHERE user_id = ?").bind(user.user.id).run();
    expect(await bucketRows(shard, user.bucket)).toEqual({});
    expect((await refresh(app, user.refresh)).status).toBe(400);

    const res = await restore(id, user.bucket);
    expect(res.status).toBe(200);
    const restored = await json<Restored>(res);
    const entry = manifest.buckets.find((b) => b.bucket === user.bucket)!;
    expect(restored).toMatchObject({ outcome: "restored", shard, previous_owner: null, rows: entry.rows, users: 1, replaced: 0 });
    // The restored rows have the manifest's checksums, which are the bucket's before it was lost.
    expect(restored.tables).toEqual(entry.tables);
    expect(sameChecksum(await checksumAt(shard, user.bucket), before)).toBe(true);
    // The email index lost the address too; the restore put it back, so the password works again.
    expect(restored.email_index).toEqual({ users: 1, added: 1, conflicts: [] });
    const found = await admin("GET", `/users?email=${encodeURIComponent(user.user.email)}`);
    expect(found.status).toBe(200);

    // The refresh token issued before the backup is live again, and nothing was redeemed twice in between.
    await stillWorks(user);
  });

  it("is safe to run again: a bucket that already holds exactly the backup's rows is left as it is", async () => {
    const user = await signedInUser(app);
    const { id } = await runBackup();
    const { shard } = await ownerOf(user.bucket);
    const before = await checksumAt(shard, user.bucket);
    const again = await json<Restored>(await restore(id, user.bucket));
    expect(again).toMatchObject({ outcome: "already_restored", replaced: 0, email_index: { added: 0, conflicts: [] } });
    expect(await checksumAt(shard, user.bucket)).toEqual(before);
  });

  it("refuses a bucket that holds other rows, changing nothing; --force replaces them with the backup's", async () => {
    const user = await signedInUser(app);
    const { id, manifest } = await runBackup();
    // After the backup the family rotates: the bucket now differs from the backup.
    const newer = await json<{ refresh_token: string }>(await refresh(app, user.refresh));
    const { shard } = await ownerOf(user.bucket);
    const live = await checksumAt(shard, user.bucket);

    const refused = await restore(id, user.bucket);
    expect(refused.status).toBe(409);
    expect(await json<Refusal>(refused)).toMatchObject({ error: "bucket_not_empty", error_description: expect.stringMatching(new RegExp(`${shard} holds \\d+ rows of bucket ${user.bucket}.*--force`)) });
    expect(await checksumAt(shard, user.bucket)).toEqual(live);
    expect((await refresh(app, newer.refresh_token)).status).toBe(200);

    const forced = await json<Restored>(await restore(id, user.bucket, { force: true }));
    expect(forced.outcome).toBe("restored");
    expect(forced.replaced).toBeGreaterThan(0);
    expect(forced.tables).toEqual(manifest.buckets.find((b) => b.bucket === user.bucket)!.tables);
    // Back to the backup's moment: the token current then works again (it was rotated after the backup).
    expect((await refresh(app, user.refresh)).status).toBe(200);
  });

  it("refuses an object that differs from the manifest (SHA-256) and writes nothing", async () => {
    const user = await signedInUser(app);
    const { id, manifest } = await runBackup();
    const entry = manifest.buckets.find((b) => b.bucket === user.bucket)!;
    const stored = new Uint8Array(await (await env.BACKUPS.get(entry.key))!.arrayBuffer());
    stored[stored.length - 12]! ^= 0xff;
    await env.BACKUPS.put(entry.key, stored);
    const { shard } = await ownerOf(user.bucket);
    await loseBucket(shard, user.bucket);

    const res = await restore(id, user.bucket);
    expect(res.status).toBe(422);
    expect(await json<Refusal>(res)).toMatchObject({ error: "backup_corrupt", error_description: expect.stringMatching(new RegExp(`${entry.key} has SHA-256 [0-9a-f]{64}; the manifest says ${entry.sha256}; nothing was written`)) });
    expect(await bucketRows(shard, user.bucket)).toEqual({});

    await env.BACKUPS.delete(entry.key);
    const missing = await restore(id, user.bucket);
    expect(missing.status).toBe(422);
    expect((await json<Refusal>(missing)).error_description).toMatch(/is missing from the backups bucket/);
  });

  it("restores into another shard with --to, which then owns and serves the bucket", async () => {
    const user = await signedInUser(app);
    const { id, manifest } = await runBackup();
    const before = await ownerOf(user.bucket);
    const to = await otherShard(user.bucket);
    // The owner still holds the bucket: without --force, the restore would drop those rows, so it refuses.
    const refused = await restore(id, user.bucket, { to });
    expect(refused.status).toBe(409);
    expect((await json<Refusal>(refused)).error_description).toMatch(new RegExp(`${before.shard}, the owner of bucket ${user.bucket}, holds \\d+ rows`));
    expect(await ownerOf(user.bucket)).toMatchObject({ shard: before.shard, state: "active" });
    expect(await stillWorks(user)).toMatch(/^r\./);

    // The owner lost it (say its storage is damaged): restore the backup elsewhere.
    await loseBucket(before.shard, user.bucket);
    const res = await restore(id, user.bucket, { to });
    expect(res.status).toBe(200);
    const restored = await json<Restored>(res);
    expect(restored).toMatchObject({ outcome: "restored", shard: to, previous_owner: before.shard });
    expect(restored.tables).toEqual(manifest.buckets.find((b) => b.bucket === user.bucket)!.tables);
    expect(await ownerOf(user.bucket)).toMatchObject({ shard: to, epoch: before.epoch + 1, state: "active" });
    expect(await bucketRows(before.shard, user.bucket)).toEqual({});
    // The user's tokens and session are served by the new owner (the refresh token of the backup's moment).
    await stillWorks(user);
    const verify = await json<{ problems: unknown[] }>(await admin("GET", `/shards/verify?from=${user.bucket}&count=1`));
    expect(verify.problems).toEqual([]);
  });

  it("reports rows that do not match the manifest's checksums; into another shard they are not handed over", async () => {
    const user = await signedInUser(app);
    const { manifest } = await runBackup();
    // A manifest whose users checksum disagrees with the (intact) object it names.
    const forged = { ...manifest, backup_id: "20200101T000000Z-0f0f0f", buckets: manifest.buckets.map((b) => ({ ...b, tables: { ...b.tables, users: { ...b.tables.users!, sha256: "0".repeat(64) } } })) };
    await env.BACKUPS.put("backups/20200101T000000Z-0f0f0f/manifest.json", JSON.stringify(forged));
    const before = await ownerOf(user.bucket);
    const to = await otherShard(user.bucket);
    await loseBucket(before.shard, user.bucket);

    const moved = await restore(forged.backup_id, user.bucket, { to });
    expect(moved.status).toBe(409);
    expect(await json<Refusal>(moved)).toMatchObject({ error: "restore_mismatch", error_description: `bucket ${user.bucket} restored into ${to} differs from the manifest in users` });
    expect(await ownerOf(user.bucket)).toMatchObject({ shard: before.shard, epoch: before.epoch, state: "active" });
    expect(await bucketRows(to, user.bucket)).toEqual({});

    const inPlace = await restore(forged.backup_id, user.bucket);
    expect(inPlace.status).toBe(409);
    expect((await json<Refusal>(inPlace)).error).toBe("restore_mismatch");
  });

  it("sends again, soon after the restore, the audit events that were waiting in the bucket's outbox when it was backed up", async () => {
    const user = await signedInUser(app);
    const { shard } = await ownerOf(user.bucket);
    const stub = stubFor(env, shard);
    await runDurableObjectAlarm(stub); // delivered what the sign-in recorded; the alarm now waits for the sweep
    const eventId = `0190f000-0000-7000-8000-${crypto.randomUUID().slice(-12)}`;
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("INSERT INTO outbox (id, bucket, type, user_id, client_id, data, at) VALUES (?, ?, 'login.success', ?, NULL, '{}', ?)", eventId, user.bucket, user.user.id, Date.now());
    });
    const { id, manifest } = await runBackup();
    expect(manifest.buckets.find((b) => b.bucket === user.bucket)!.tables.outbox!.rows).toBe(1);
    await loseBucket(shard, user.bucket);

    expect((await restore(id, user.bucket)).status).toBe(200);
    expect(await rowsIn(shard, "outbox", "id = ?", eventId)).toHaveLength(1);
    const alarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(alarm!).toBeLessThanOrEqual(Date.now() + 1_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await rowsIn(shard, "outbox", "id = ?", eventId)).toEqual([]);
  });

  it("answers clearly for a bucket the backup does not hold, an unknown backup or shard, and bad bodies", async () => {
    const user = await signedInUser(app);
    const { id, manifest } = await runBackup();
    const empty = [...Array(4096).keys()].find((b) => !manifest.buckets.some((e) => e.bucket === b))!;
    const cases: Array<[Response, number, RegExp]> = [
      [await restore(id, empty), 404, new RegExp(`bucket ${empty} held no rows in backup ${id}`)],
      [await restore("20200101T000000Z-abcdef", user.bucket), 404, /has no manifest/],
      [await restore(id, user.bucket, { to: "shard-9" }), 400, /unknown shard shard-9/],
      [await restore(id, user.bucket, { to: "9" }), 400, /to: must be a shard name/],
      [await restore(id, 4096), 400, /bucket/],
      [await admin("POST", `/backups/${id}/restore`, { bucket: user.bucket }), 400, /holder/],
    ];
    for (const [res, status, message] of cases) {
      expect(res.status).toBe(status);
      expect((await json<Refusal>(res)).error_description).toMatch(message);
    }
  });
});
