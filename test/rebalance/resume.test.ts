import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { sameChecksum } from "../../src/shard/checksum";
import { stubFor } from "../../src/shard/stub";
import { directory } from "../helpers/shards";
import { bucketRows, checksumAt, drive, expireLease, heldAt, HOLDER, otherShard, ownerOf, planMove } from "./helpers";
import { seedBucket } from "./seed";
import type { BucketChecksum } from "../../src/actors/user-shard/api";

const RESCUER = "second-operator";

interface Setup {
  bucket: number;
  from: string;
  to: string;
  epoch: number;
  sum: BucketChecksum;
  rows: Record<string, number>;
}

let nextBucket = 2000;
async function setup(users = 40): Promise<Setup> {
  const bucket = nextBucket++;
  const { shard: from, epoch } = await ownerOf(bucket);
  await seedBucket(from, bucket, users);
  return { bucket, from, to: await otherShard(bucket), epoch, sum: await checksumAt(from, bucket), rows: await bucketRows(from, bucket) };
}

/** The state every finished move ends in, however it got there. */
async function expectMoved(s: Setup): Promise<void> {
  expect(await ownerOf(s.bucket)).toMatchObject({ shard: s.to, epoch: s.epoch + 1, state: "active" });
  expect(await bucketRows(s.to, s.bucket)).toEqual(s.rows);
  expect(sameChecksum(await checksumAt(s.to, s.bucket), s.sum)).toBe(true);
  expect(await bucketRows(s.from, s.bucket)).toEqual({});
  expect(await heldAt(s.from, s.bucket)).toBeNull();
  expect(await heldAt(s.to, s.bucket)).toEqual({ epoch: s.epoch + 1, state: "active" });
}

async function expectRolledBack(s: Setup): Promise<void> {
  expect(await ownerOf(s.bucket)).toMatchObject({ shard: s.from, epoch: s.epoch, state: "active" });
  expect(sameChecksum(await checksumAt(s.from, s.bucket), s.sum)).toBe(true);
  expect(await bucketRows(s.to, s.bucket)).toEqual({});
  expect(await heldAt(s.to, s.bucket)).toBeNull();
  expect(await heldAt(s.from, s.bucket)).toEqual({ epoch: s.epoch, state: "active" });
}

/** Kills the directory object mid-flight: its memory (drivers, pushes in progress) is gone. */
async function abortDirectory(): Promise<void> {
  await runInDurableObject(directory(), (_instance, state) => state.abort("simulated crash")).catch(() => undefined);
}

// Each test plays one operator session; none leaves its lease to the next.
afterEach(expireLease);

const STEPS = ["planned", "copying", "fenced", "verified", "flipped", "done"] as const;

describe("crash safety: a move abandoned after any step resumes to the same final state", () => {
  for (let taken = 0; taken < STEPS.length - 1; taken++) {
    it(`driver dies with the move recorded at '${STEPS[taken]}'; another operator resumes it`, async () => {
      const s = await setup();
      const move = await planMove(s.bucket, s.to);
      if (taken > 0) expect((await drive(move.id, { steps: taken })).step).toBe(STEPS[taken]);
      if (taken % 2 === 1) await abortDirectory();

      // The dead driver's lease keeps other operators out until it expires...
      const refused = await directory().runMove(move.id, RESCUER);
      expect(refused).toMatchObject({ ok: false, error: "lease_held" });
      await expireLease();
      // ...then anyone may resume, from the recorded step.
      const done = await drive(move.id, { holder: RESCUER });
      expect(done.step).toBe("done");
      await expectMoved(s);
    });
  }

  it("a crash in the middle of the bulk copy: the copy is redone as upserts, nothing doubles", async () => {
    const s = await setup(200);
    const move = await planMove(s.bucket, s.to);
    await drive(move.id, { steps: 1 }); // copying, target told to expect the bucket
    await directory().getMap(); // the push lands
    const page = await stubFor(env, s.from).exportBucket(s.bucket, { table: "users", afterKey: null }, 50);
    if (!page.ok) throw new Error(page.error);
    expect(page.next).toMatchObject({ table: "users" });
    expect(await stubFor(env, s.to).importRows(s.bucket, page.pages)).toMatchObject({ ok: true, imported: 50 });
    await abortDirectory();
    expect((await drive(move.id)).step).toBe("done");
    await expectMoved(s);
  });

  it("a crash between the flip and the cleanup, halfway through deleting: resume finishes the delete", async () => {
    const s = await setup(300);
    const move = await planMove(s.bucket, s.to);
    expect((await drive(move.id, { steps: 4 })).step).toBe("flipped");
    await directory().getMap(); // both shards learn the new owner
    const partial = await stubFor(env, s.from).dropBucket(s.bucket, 100);
    expect(partial).toMatchObject({ ok: true, deleted: 100, more: true });
    await abortDirectory();
    expect((await drive(move.id)).step).toBe("done");
    await expectMoved(s);
  });

  it("re-running a step is harmless: three drivers at once end in one clean move", async () => {
    const s = await setup(100);
    const move = await planMove(s.bucket, s.to);
    const results = await Promise.all([drive(move.id), drive(move.id), drive(move.id)]);
    expect(results.map((m) => m.step)).toEqual(["done", "done", "done"]);
    await expectMoved(s);
  });

  it("a fenced bucket whose driver vanished is finished by the directory's recovery alarm", async () => {
    const s = await setup();
    const move = await planMove(s.bucket, s.to);
    await drive(move.id, { steps: 3 }); // fenced and pushed, verified
    expect(await stubFor(env, s.from).getUser(s.bucket, `syn-${s.bucket}-0`)).toMatchObject({ ok: false, error: "bucket_moving" });
    await abortDirectory();
    await expireLease();
    expect(await runDurableObjectAlarm(directory())).toBe(true);
    await expectMoved(s);
    const listed = await directory().listMoves({});
    expect(listed.ok && listed.moves.find((m) => m.id === move.id)).toMatchObject({ step: "done", holder: "directory-recovery" });
  });
});

describe("rolling back", () => {
  for (const taken of [0, 1, 2, 3]) {
    it(`resume --rollback from '${STEPS[taken]}' restores the source as it was and clears the target`, async () => {
      const s = await setup();
      const move = await planMove(s.bucket, s.to);
      if (taken > 0) await drive(move.id, { steps: taken });
      if (taken >= 2) await directory().getMap(); // the fence is in force at the source
      const undone = await drive(move.id, { rollback: true });
      expect(undone.step).toBe("rolled_back");
      expect(undone.error).toBe("rolled back by the operator");
      await expectRolledBack(s);
      // The bucket can be moved again afterwards.
      expect((await drive((await planMove(s.bucket, s.to)).id)).step).toBe("done");
    });
  }

  it("a flipped move cannot be rolled back: --rollback finishes it", async () => {
    const s = await setup();
    const move = await planMove(s.bucket, s.to);
    await drive(move.id, { steps: 4 });
    expect((await drive(move.id, { rollback: true })).step).toBe("done");
    await expectMoved(s);
  });
});

describe("the operators' lease", () => {
  it("keeps a second operator from starting moves until the first releases it", async () => {
    const s = await setup(5);
    const move = await planMove(s.bucket, s.to);
    const other = await directory().createMove(s.bucket + 1, s.to === "shard-0" ? "shard-1" : "shard-0", RESCUER);
    expect(other).toMatchObject({ ok: false, error: "lease_held" });
    expect(other.ok ? "" : other.detail).toMatch(/leased by test-operator until/);
    expect(await directory().createMove(s.bucket, s.to, HOLDER)).toMatchObject({ ok: false, error: "move_open" }); // one open move per bucket
    expect(await directory().releaseMoveLease(HOLDER)).toMatchObject({ ok: true, released: true });
    expect(await directory().runMove(move.id, RESCUER)).toMatchObject({ ok: true, move: { step: "done" } });
    await directory().releaseMoveLease(RESCUER);
  });

  it("the old fencing controls refuse a bucket with a move in progress", async () => {
    const s = await setup(5);
    const move = await planMove(s.bucket, s.to);
    expect(await directory().setBucketState([s.bucket], "active")).toMatchObject({ ok: false, error: "move_open" });
    expect(await directory().assignBucket(s.bucket, s.to)).toMatchObject({ ok: false, error: "move_open" });
    await drive(move.id);
  });
});
