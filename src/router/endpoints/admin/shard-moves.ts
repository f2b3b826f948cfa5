import { Hono } from "hono/tiny";
import * as z from "zod/mini";
import { BUCKET_COUNT } from "../../../shard/bucket";
import { MAX_SHARDS } from "../../../shard/map";
import { directoryRpc } from "../../../shard/rpc";
import { forgetMap } from "../../shards/map-cache";
import type { AppEnv } from "../../types";
import { readJson } from "./body";
import { orThrow } from "./directory-result";
import type { AddShardResponse, CancelResponse, CreateMoveResponse, MovesResponse, RebalanceResponse, ReleaseResponse, RunMoveResponse } from "./shard-responses";
import { intParam } from "./shards";

/** Who is driving: the CLI sends a per-run id; the directory leases moves to it. */
const holder = z.string().check(z.minLength(1), z.maxLength(200));
const addBody = z.strictObject({ holder });
const moveBody = z.strictObject({
  holder,
  bucket: z.number().check(z.int(), z.minimum(0), z.maximum(BUCKET_COUNT - 1)),
  to: z.string().check(z.minLength(1), z.maxLength(100)),
});
const rebalanceBody = z.strictObject({
  holder,
  shards: z.number().check(z.int(), z.minimum(1), z.maximum(MAX_SHARDS)),
  by: z.optional(z.enum(["buckets", "load"])),
});
const runBody = z.strictObject({
  holder,
  rollback: z.optional(z.boolean()),
  steps: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(10))),
});

const cancelBody = z.strictObject({ holder, plan_id: z.optional(z.string().check(z.maxLength(100))) });

/**
 * Operator API that changes the shard layout: add a shard, plan and record moves,
 * drive a move (one request per move: the fence is taken and released inside the
 * directory, never across a network round trip), list moves, give the lease back.
 */
export const adminShardMoves = new Hono<AppEnv>()
  .post("/add", async (c) => {
    const body = await readJson(c, addBody);
    const added = orThrow(await directoryRpc(c.env).addShard(body.holder));
    forgetMap();
    return c.json({ shard: added.shard } satisfies AddShardResponse, 201);
  })
  .post("/moves", async (c) => {
    const body = await readJson(c, moveBody);
    const created = orThrow(await directoryRpc(c.env).createMove(body.bucket, body.to, body.holder));
    return c.json({ move: created.move } satisfies CreateMoveResponse, 201);
  })
  .post("/rebalance", async (c) => {
    const body = await readJson(c, rebalanceBody);
    const recorded = orThrow(await directoryRpc(c.env).rebalance(body.shards, body.by ?? "buckets", body.holder));
    if (recorded.planId === null) return c.json({ plan_id: null, ...recorded.plan, moves: [] } satisfies RebalanceResponse);
    forgetMap();
    return c.json({ ...recorded.plan, plan_id: recorded.planId, moves: recorded.moves } satisfies RebalanceResponse, 201);
  })
  .get("/moves", async (c) => {
    const open = c.req.query("open") === "true";
    const limit = intParam("limit", c.req.query("limit") ?? "100", 1, 500);
    const planId = c.req.query("plan_id");
    return c.json(orThrow(await directoryRpc(c.env).listMoves({ open, limit, ...(planId ? { planId } : {}) })) satisfies MovesResponse);
  })
  .post("/moves/:id/run", async (c) => {
    const id = intParam("move id", c.req.param("id"), 1, Number.MAX_SAFE_INTEGER);
    const body = await readJson(c, runBody);
    const options = { ...(body.rollback ? { rollback: true } : {}), ...(body.steps ? { steps: body.steps } : {}) };
    const ran = orThrow(await directoryRpc(c.env).runMove(id, body.holder, options));
    return c.json({ move: ran.move, error: ran.error } satisfies RunMoveResponse);
  })
  .post("/moves/cancel", async (c) => {
    const body = await readJson(c, cancelBody);
    return c.json(orThrow(await directoryRpc(c.env).cancelPlannedMoves(body.holder, body.plan_id)) satisfies CancelResponse);
  })
  .post("/lease/release", async (c) => {
    const body = await readJson(c, addBody);
    return c.json(orThrow(await directoryRpc(c.env).releaseMoveLease(body.holder)) satisfies ReleaseResponse);
  });
