import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { stubFor } from "../../src/shard/stub";
import { drive, expireLease, heldAt, otherShard, ownerOf, planMove } from "./helpers";
import { seedBucket } from "./seed";

afterEach(expireLease);

/**
 * A shard holds the state of each bucket it was asked about in memory (OwnedBuckets), so
 * its ownership check reads no SQLite row. These calls ask both shards about the bucket
 * before every push of a move, so each answer below comes after the shard had the old
 * state in memory: each must follow the push at once.
 */
describe("the ownership check follows the directory's pushes", () => {
  it("answers from memory, and after every step of a move both shards answer as their ownership table says", async () => {
    const bucket = 3001;
    const user = `syn-${bucket}-0`;
    const { shard: from } = await ownerOf(bucket);
    const to = await otherShard(bucket);
    await seedBucket(from, bucket, 2);
    const ask = async (shard: string) => {
      const result = await stubFor(env, shard).getUser(bucket, user);
      return result.ok ? `user ${result.user.id}` : result.error;
    };
    /** What the shard's owned_buckets row says it must answer. */
    const expected = async (shard: string) => {
      const held = await heldAt(shard, bucket);
      return held === null ? "wrong_shard" : held.state === "active" ? `user ${user}` : "bucket_moving";
    };
    const states = new Set<string>();
    const stepThrough = async (target: string) => {
      const move = await planMove(bucket, target);
      for (let step = 0; ; step++) {
        // Both shards are asked before each push, so each holds the old answer in memory when it comes.
        for (const shard of [from, to]) {
          expect(await ask(shard), `${shard} after ${step} steps`).toBe(await expected(shard));
          states.add(`${shard}:${(await heldAt(shard, bucket))?.state ?? "none"}`);
        }
        if ((await drive(move.id, { steps: 1 })).step === "done") break;
      }
      for (const shard of [from, to]) expect(await ask(shard)).toBe(await expected(shard));
    };

    await stepThrough(to);
    expect(await ask(to)).toBe(`user ${user}`);
    expect(await ask(from)).toBe("wrong_shard");
    await stepThrough(from);
    expect(await ask(from)).toBe(`user ${user}`);
    expect(await ask(to)).toBe("wrong_shard");
    // Every state a move passes through was asked about on both sides.
    expect([...states].sort()).toEqual(expect.arrayContaining([`${from}:active`, `${from}:fenced`, `${from}:none`, `${to}:incoming`, `${to}:active`, `${to}:none`]));
  });
});
