import { afterEach, describe, expect, it } from "vitest";
import { bucketOf } from "../../src/shard/bucket";
import { planRebalance } from "../../src/shard/plan";
import { admin, json } from "../helpers/http";
import { createUser } from "../helpers/oidc";
import { currentDirectoryMap, directory } from "../helpers/shards";
import { expireLease, otherShard } from "./helpers";

const HOLDER = "api-operator";
type Body = Record<string, unknown> & { error?: string; error_description?: string };

afterEach(expireLease);

async function expectError(res: Response, status: number, description: RegExp, code?: string): Promise<void> {
  expect(res.status).toBe(status);
  const body = await json<Body>(res);
  expect(body.error_description).toMatch(description);
  if (code !== undefined) expect(body.error).toBe(code);
}

describe("operator API for shards: status, plan, moves", () => {
  it("status shows the map, shards with users and recent requests, moves in flight and the lease", async () => {
    const user = await createUser();
    for (let i = 0; i < 5; i++) expect((await admin("GET", `/users/${user.id}`)).status).toBe(200);
    const res = await admin("GET", "/shards");
    expect(res.status).toBe(200);
    const status = await json<{ version: number; shards: Array<{ name: string; users: number; requests: { last_1m: number; hottest_buckets: number[][] } }>; moves: { open: object }; lease: null }>(res);
    expect(status.shards.map((s) => s.name)).toEqual(["shard-0", "shard-1", "shard-2", "shard-3"]);
    expect(status.moves.open).toEqual({});
    expect(status.lease).toBeNull();
    // The shard counted the requests it served for the user's bucket.
    const hot = status.shards.find((s) => s.requests.hottest_buckets.some(([b]) => b === bucketOf(user.id)))!;
    expect(hot.requests.last_1m).toBeGreaterThanOrEqual(6);
    expect(hot.users).toBeGreaterThanOrEqual(1);
  });

  it("plan is a dry run: minimal, deterministic, the same as planRebalance, and changes nothing", async () => {
    const map = await currentDirectoryMap();
    const first = await json<{ version: number; move_count: number; moves: unknown[]; shards: Array<{ name: string; buckets_after: number; new: boolean }> }>(
      await admin("GET", "/shards/plan?shards=6"),
    );
    const again = await json<typeof first>(await admin("GET", "/shards/plan?shards=6"));
    expect(again).toEqual(first);
    const expected = planRebalance(map, 6);
    expect(first.moves).toEqual(expected.moves);
    // 4 × 1024 → 6 shards of 682 or 683: the four old ones keep 683 (the +1s go to the richest)
    // and each gives away exactly 341; no bucket moves between old shards.
    expect(first.move_count).toBe(4 * (1024 - 683));
    expect(first.shards.filter((s) => s.new).map((s) => s.name)).toEqual(["shard-4", "shard-5"]);
    expect((await currentDirectoryMap()).version).toBe(map.version);
  });

  it("refuses bad arguments with a 400 that names the problem", async () => {
    await expectError(await admin("GET", "/shards/plan"), 400, /shards is required/);
    await expectError(await admin("GET", "/shards/plan?shards=0"), 400, /shards must be an integer between 1 and 4096, got "0"/);
    await expectError(await admin("GET", "/shards/plan?shards=two"), 400, /shards must be an integer/);
    await expectError(await admin("GET", "/shards/plan?shards=3&by=cpu"), 400, /by must be buckets or load/);
    await expectError(await admin("GET", "/shards/verify?count=9999"), 400, /count must be an integer between 1 and 512/);
    await expectError(await admin("POST", "/shards/moves", { holder: HOLDER, bucket: 4096, to: "shard-1" }), 400, /bucket/);
    await expectError(await admin("POST", "/shards/moves", { holder: HOLDER, bucket: 1, to: "shard-9" }), 400, /unknown shard shard-9/);
    const map = await currentDirectoryMap();
    await expectError(await admin("POST", "/shards/moves", { holder: HOLDER, bucket: 1, to: map.shards[map.owner[1]!]! }), 400, /already on/);
    await expectError(await admin("POST", "/shards/moves", { bucket: 1, to: "shard-2" }), 400, /holder/);
    await expectError(await admin("POST", "/shards/moves/abc/run", { holder: HOLDER }), 400, /move id must be an integer/);
    await expectError(await admin("POST", "/shards/moves/999999/run", { holder: HOLDER }), 404, /no move 999999/);
    await expectError(await admin("POST", "/shards/rebalance", { holder: HOLDER, shards: 5000 }), 400, /shards/);
  });

  it("move then run: one request per move; a second operator is refused while the lease is held", async () => {
    const user = await createUser();
    const bucket = bucketOf(user.id);
    const to = await otherShard(bucket);
    const created = await admin("POST", "/shards/moves", { holder: HOLDER, bucket, to });
    expect(created.status).toBe(201);
    const { move } = await json<{ move: { id: number; step: string } }>(created);
    expect(move.step).toBe("planned");
    await expectError(await admin("POST", `/shards/moves/${move.id}/run`, { holder: "someone-else" }), 409, /leased by api-operator/, "lease_held");
    await expectError(await admin("POST", "/shards/moves", { holder: HOLDER, bucket, to }), 409, /already has move/, "move_open");
    const ran = await json<{ move: { step: string; fence_ms: number }; error: null }>(await admin("POST", `/shards/moves/${move.id}/run`, { holder: HOLDER }));
    expect(ran).toMatchObject({ move: { step: "done" }, error: null });
    expect(await json<Body>(await admin("POST", "/shards/lease/release", { holder: HOLDER }))).toMatchObject({ released: true });
    const shown = await json<{ user: { shard: string } }>(await admin("GET", `/users/${user.id}`));
    expect(shown.user.shard).toBe(to);
  });

  it("a plan that no longer fits the map is refused whole", async () => {
    const map = await currentDirectoryMap();
    const owner = (b: number) => map.shards[map.owner[b]!]!;
    const other = (b: number) => map.shards.find((s) => s !== owner(b))!;
    const stale = await directory().applyPlan(
      { shards: [...map.shards], moves: [{ bucket: 3, from: owner(3), to: other(3) }, { bucket: 9, from: other(9), to: owner(9) }] },
      map.version,
      HOLDER,
    );
    expect(stale).toMatchObject({ ok: false, error: "map_changed" });
    expect(stale.ok ? "" : stale.detail).toMatch(/bucket 9 is on .*plan again/);
    const listed = await directory().listMoves({ open: true });
    expect(listed.ok && listed.moves).toEqual([]);
    const outdated = await directory().applyPlan({ shards: [...map.shards], moves: [] }, map.version - 1, HOLDER);
    expect(outdated).toMatchObject({ ok: false, error: "map_changed" });
  });

  it("add-shard, rebalance records a plan, verify sees moves in flight, cancel abandons the rest", async () => {
    const added = await admin("POST", "/shards/add", { holder: HOLDER });
    expect(added.status).toBe(201);
    expect(await json<Body>(added)).toEqual({ shard: "shard-4" });
    const res = await admin("POST", "/shards/rebalance", { holder: HOLDER, shards: 5 });
    expect(res.status).toBe(201);
    const plan = await json<{ plan_id: string; move_count: number; moves: Array<{ id: number; bucket: number; to: string }> }>(res);
    expect(plan.moves.every((m) => m.to === "shard-4")).toBe(true);
    expect(plan.move_count).toBe(plan.moves.length);
    // Another rebalance while these are open is refused.
    await expectError(await admin("POST", "/shards/rebalance", { holder: HOLDER, shards: 5 }), 409, /still open/, "move_open");

    const [a, b] = plan.moves;
    expect((await json<Body>(await admin("POST", `/shards/moves/${a!.id}/run`, { holder: HOLDER }))).move).toMatchObject({ step: "done" });
    expect((await json<Body>(await admin("POST", `/shards/moves/${b!.id}/run`, { holder: HOLDER, steps: 2 }))).move).toMatchObject({ step: "fenced" });
    const status = await json<{ moves: { open: Record<string, number> } }>(await admin("GET", "/shards"));
    expect(status.moves.open).toEqual({ planned: plan.moves.length - 2, fenced: 1 });

    const verify = await json<{ problems: unknown[]; in_flight: unknown[] }>(await admin("GET", `/shards/verify?from=${b!.bucket}&count=1`));
    expect(verify.problems).toEqual([]);

    const cancelled = await json<{ cancelled: number }>(await admin("POST", "/shards/moves/cancel", { holder: HOLDER, plan_id: plan.plan_id }));
    expect(cancelled.cancelled).toBe(plan.moves.length - 2);
    expect((await json<Body>(await admin("POST", `/shards/moves/${b!.id}/run`, { holder: HOLDER, rollback: true }))).move).toMatchObject({ step: "rolled_back" });
    const after = await json<{ moves: { open: object }; shards: Array<{ name: string; buckets: number }> }>(await admin("GET", "/shards"));
    expect(after.moves.open).toEqual({});
    expect(after.shards.find((s) => s.name === "shard-4")!.buckets).toBe(1);
    const full = await json<{ problems: unknown[] }>(await admin("GET", "/shards/verify?from=0&count=512"));
    expect(full.problems).toEqual([]);
  });
});
