import { afterEach, describe, expect, it } from "vitest";
import { admin, json } from "../helpers/http";
import { createUser } from "../helpers/oidc";
import { bucketOf } from "../../src/shard/bucket";
import { expireLease, moveBucket, otherShard, ownerOf } from "../rebalance/helpers";

type Refusal = { error: string; error_description: string };
const HOLDER = "pitr-operator";

afterEach(expireLease);

function pitr(shard: string, body: Record<string, unknown>): Promise<Response> {
  return admin("POST", `/shards/${shard}/pitr`, { holder: HOLDER, ...body });
}

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

describe("point-in-time recovery of a shard", () => {
  it("says plainly that the local runtime keeps no history (workerd implements no point-in-time recovery)", async () => {
    const res = await pitr("shard-1", { at: minutesAgo(5) });
    expect(res.status).toBe(501);
    expect(await json<Refusal>(res)).toMatchObject({
      error: "unsupported",
      error_description: expect.stringMatching(/shard-1 cannot roll back here: .*point-in-time recovery.*Cloudflare only/),
    });
    const undo = await pitr("shard-1", { bookmark: "0000002c-00000001-00004f6d-5b2e" });
    expect(undo.status).toBe(501);
  });

  it("refuses, before touching the shard, when buckets moved to or from it since then (unless forced)", async () => {
    const user = await createUser();
    const bucket = bucketOf(user.id);
    const from = (await ownerOf(bucket)).shard;
    const at = minutesAgo(1);
    await moveBucket(bucket, await otherShard(bucket));
    await expireLease();
    const res = await pitr(from, { at });
    expect(res.status).toBe(409);
    expect(await json<Refusal>(res)).toMatchObject({
      error: "moved_since",
      error_description: expect.stringMatching(new RegExp(`1 bucket moves touched ${from} after .*\\(buckets ${bucket}\\).*--force`)),
    });
    // Forced, it goes on to the storage, which here has no history.
    expect((await pitr(from, { at, force: true })).status).toBe(501);
  });

  it("refuses times outside the last 30 days, unknown shards and ambiguous bodies with a 400", async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ["shard-1", { at: new Date(Date.now() + 60_000).toISOString() }, /within the last 30 days/],
      ["shard-1", { at: minutesAgo(31 * 24 * 60) }, /within the last 30 days/],
      ["shard-1", { at: "2026-03-21 10:15" }, /at: must be an ISO 8601 time with a zone/],
      ["shard-1", { at: "2026-02-30T10:15:00Z" }, /not a valid time|within the last 30 days/],
      ["shard-1", {}, /exactly one of at .* and bookmark/],
      ["shard-1", { at: minutesAgo(5), bookmark: "b" }, /exactly one of at .* and bookmark/],
      ["shard-9", { at: minutesAgo(5) }, /unknown shard shard-9/],
      ["directory", { at: minutesAgo(5) }, /not a shard name/],
    ];
    for (const [shard, body, message] of cases) {
      const res = await pitr(shard, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json<Refusal>(res)).error_description).toMatch(message);
    }
  });
});
