import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { bucketOf } from "../../src/shard/bucket";
import { stubFor } from "../../src/shard/stub";
import { admin, json } from "../helpers/http";
import { copyBucketRows, currentDirectoryMap, directory, rowsIn } from "../helpers/shards";

interface User {
  id: string;
  bucket: number;
  shard: string;
  disabled: boolean;
}

async function createUser(email: string): Promise<User> {
  const res = await admin("POST", "/users", { email, password: "correct horse battery" });
  expect(res.status).toBe(201);
  return (await json<{ user: User }>(res)).user;
}

describe("routing users to the shard that owns their bucket", () => {
  it("a user created through /admin lands in the owning shard and nowhere else", async () => {
    const users = await Promise.all(Array.from({ length: 12 }, (_, i) => createUser(`spread${i}@example.com`)));
    const map = await currentDirectoryMap();
    for (const user of users) {
      expect(user.bucket).toBe(bucketOf(user.id));
      const owner = map.shards[map.owner[user.bucket]!]!;
      expect(user.shard).toBe(owner);
      for (const shard of map.shards) {
        const rows = await rowsIn(shard, "users", "id = ?", user.id);
        expect(rows.length, `${user.id} in ${shard}`).toBe(shard === owner ? 1 : 0);
        const creds = await rowsIn(shard, "credentials", "user_id = ?", user.id);
        expect(creds.length).toBe(shard === owner ? 1 : 0);
      }
    }
  });

  it("a router with a stale map is told wrong_shard by the old owner and succeeds after refreshing", async () => {
    const user = await createUser("stale-map@example.com");
    // Warm the router's map cache (TTL 5 s) with the current owner.
    expect((await admin("GET", `/users/${user.id}`)).status).toBe(200);

    const map = await currentDirectoryMap();
    const from = user.shard;
    const to = map.shards.find((s) => s !== from)!;
    // Move the bucket the way the mover does: copy rows, then flip the owner.
    await copyBucketRows(from, to, user.bucket);
    const flipped = await directory().assignBucket(user.bucket, to);
    expect(flipped.ok).toBe(true);

    // The old owner now refuses the bucket: it gave it away.
    expect(await stubFor(env, from).getUser(user.bucket, user.id)).toMatchObject({ ok: false, error: "wrong_shard" });

    // The router still holds the old map; the request succeeds from the new owner.
    const res = await admin("GET", `/users/${user.id}`);
    expect(res.status).toBe(200);
    expect((await json<{ user: User }>(res)).user).toMatchObject({ id: user.id, shard: to });

    // A write through the router lands on the new owner only.
    expect((await admin("POST", `/users/${user.id}/disable`)).status).toBe(200);
    expect((await rowsIn(to, "users", "id = ?", user.id))[0]).toMatchObject({ disabled: 1 });
    expect((await rowsIn(from, "users", "id = ?", user.id))[0]).toMatchObject({ disabled: 0 });
  });

  it("a fenced bucket answers 503 with Retry-After and is never written", async () => {
    const user = await createUser("fenced@example.com");
    expect((await directory().setBucketState([user.bucket], "fenced")).ok).toBe(true);

    const started = Date.now();
    const res = await admin("POST", `/users/${user.id}/disable`);
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("1");
    expect(await res.json()).toMatchObject({ error: "temporarily_unavailable" });
    // The router retried within its budget before giving up (default 2 s).
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect((await rowsIn(user.shard, "users", "id = ?", user.id))[0]).toMatchObject({ disabled: 0 });

    expect((await directory().setBucketState([user.bucket], "active")).ok).toBe(true);
    expect((await admin("POST", `/users/${user.id}/disable`)).status).toBe(200);
  });

  it("a request waiting on a fence succeeds when the fence lifts within the retry budget", async () => {
    const user = await createUser("short-fence@example.com");
    await directory().setBucketState([user.bucket], "fenced");
    const pending = admin("POST", `/users/${user.id}/disable`);
    await new Promise((r) => setTimeout(r, 150));
    await directory().setBucketState([user.bucket], "active");
    const res = await pending;
    expect(res.status).toBe(200);
    expect((await json<{ user: User }>(res)).user.disabled).toBe(true);
  });

  it("creating a user in a fenced bucket fails with 503 and leaves no user and no email reservation", async () => {
    const map = await currentDirectoryMap();
    const all = map.owner.map((_, bucket) => bucket);
    await directory().setBucketState(all, "fenced");
    try {
      const res = await admin("POST", "/users", { email: "while-fenced@example.com", password: "correct horse battery" });
      expect(res.status).toBe(503);
      expect(res.headers.get("Retry-After")).toBe("1");
    } finally {
      await directory().setBucketState(all, "active");
    }
    const index = await env.DB.prepare("SELECT * FROM user_emails WHERE email = ?").bind("while-fenced@example.com").all();
    expect(index.results).toEqual([]);
    for (const shard of map.shards) {
      expect(await rowsIn(shard, "users", "email = ?", "while-fenced@example.com")).toEqual([]);
    }
    // The address is free again.
    expect((await admin("POST", "/users", { email: "while-fenced@example.com", password: "correct horse battery" })).status).toBe(201);
  });
});
