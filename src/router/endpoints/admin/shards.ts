import { Hono } from "hono/tiny";
import { MAX_VERIFY_RANGE, type PlanBy } from "../../../actors/directory/api";
import { BUCKET_COUNT } from "../../../shard/bucket";
import { MAX_SHARDS } from "../../../shard/map";
import { directoryRpc } from "../../../shard/rpc";
import { invalidRequest } from "../../errors";
import type { AppEnv } from "../../types";
import { orThrow } from "./directory-result";
import type { PlanResponse, StatusResponse, VerifyResponse } from "./shard-responses";

/**
 * Operator view of the shards: status (map, per shard its buckets, users and recent
 * requests, moves in flight), a dry-run rebalance plan, and verify. The directory
 * works them out (it holds the map and talks to every shard); changes go through
 * shard-moves.ts.
 */
export const adminShards = new Hono<AppEnv>()
  .get("/", async (c) => c.json(orThrow(await directoryRpc(c.env).shardStatus()).status satisfies StatusResponse))
  .get("/plan", async (c) => {
    const { shards, by } = planQuery(c.req.query("shards"), c.req.query("by"));
    return c.json(orThrow(await directoryRpc(c.env).planRebalance(shards, by)).plan satisfies PlanResponse);
  })
  .get("/verify", async (c) => {
    const from = intParam("from", c.req.query("from") ?? "0", 0, BUCKET_COUNT - 1);
    const count = intParam("count", c.req.query("count") ?? "256", 1, MAX_VERIFY_RANGE);
    return c.json(orThrow(await directoryRpc(c.env).verify(from, count)).report satisfies VerifyResponse);
  });

export function planQuery(rawShards: string | undefined, rawBy: string | undefined): { shards: number; by: PlanBy } {
  if (rawShards === undefined) throw invalidRequest("shards is required: the number of shards to spread the buckets over");
  const shards = intParam("shards", rawShards, 1, MAX_SHARDS);
  const by = rawBy ?? "buckets";
  if (by !== "buckets" && by !== "load") throw invalidRequest(`by must be buckets or load, got ${JSON.stringify(by)}`);
  return { shards, by };
}

export function intParam(name: string, raw: string | number, min: number, max: number): number {
  const text = String(raw).trim();
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidRequest(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}
