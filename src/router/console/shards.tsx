import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { BUCKET_COUNT } from "../../shard/bucket";
import type { MovesResponse, MoveView, RunMoveResponse, StatusResponse } from "../endpoints/admin/shard-responses";
import type { Params } from "../http/params";
import { callApi, mustGet } from "./api";
import type { ConsoleEnv } from "./guard";
import { consoleForm, frameOf } from "./page";
import { ShardsPage } from "./views/shards";

/**
 * Shards: the map and per-shard load (GET /admin/shards), moves in flight, and starting a
 * move of some buckets or a rebalance. The moves are recorded by the request that starts
 * them and then driven after the response (waitUntil), one operator API run request per
 * move, exactly as `npm run shards` drives them; the page reloads itself every 2 s while
 * a move is open. If the worker stops driving, "Continue" drives them again.
 */
const MAX_BUCKETS = 16;

const holderOf = (c: Context<ConsoleEnv>) => `console:${c.var.operator.email}`;

async function show(c: Context<ConsoleEnv>, extra: { notice?: string; error?: string } = {}, status: 200 | 202 | 400 | 409 = 200) {
  const [state, recent] = await Promise.all([mustGet<StatusResponse>(c, "/shards"), mustGet<MovesResponse>(c, "/shards/moves?limit=20")]);
  const refreshS = state.moves.in_flight.length > 0 ? 2 : undefined;
  return c.html(<ShardsPage frame={await frameOf(c, { ...extra, ...(refreshS ? { refreshS } : {}) })} status={state} recent={recent.moves} />, status);
}

function bucketList(raw: string | undefined): number[] | string {
  const parts = (raw ?? "").split(",").map((p) => p.trim()).filter((p) => p !== "");
  if (parts.length === 0 || parts.length > MAX_BUCKETS) return `give between 1 and ${MAX_BUCKETS} buckets, separated by commas`;
  const buckets = parts.map((p) => (/^\d{1,4}$/.test(p) ? Number(p) : NaN));
  if (buckets.some((b) => !Number.isInteger(b) || b >= BUCKET_COUNT)) return `each bucket is a number from 0 to ${BUCKET_COUNT - 1}`;
  if (new Set(buckets).size !== buckets.length) return "a bucket is listed twice";
  return buckets;
}

/** Drives each move to its end, one at a time, then gives the lease back. */
async function drive(c: Context<ConsoleEnv>, moves: MoveView[]): Promise<void> {
  const holder = holderOf(c);
  for (const move of moves) {
    const ran = await callApi<RunMoveResponse>(c, "POST", `/shards/moves/${move.id}/run`, { holder });
    if (!ran.ok || ran.body.error) console.warn(`console: move ${move.id} (bucket ${move.bucket}) stopped`, ran.ok ? ran.body.error : ran.error);
  }
  await callApi(c, "POST", "/shards/lease/release", { holder });
}

function inBackground(c: Context<ConsoleEnv>, work: Promise<void>): void {
  const logged = work.catch((error) => console.error("console: driving moves failed", String(error)));
  try {
    c.executionCtx.waitUntil(logged);
  } catch {
    // No execution context (an in-process test call): the promise runs on its own.
  }
}

/** Records the moves a form asks for; each is one operator API request. */
async function record(c: Context<ConsoleEnv>, form: Params): Promise<{ moves: MoveView[]; error: string | null }> {
  const holder = holderOf(c);
  if (form.get("action") === "rebalance") {
    const shards = Number(form.get("shards"));
    const planned = await callApi<{ moves: MoveView[] }>(c, "POST", "/shards/rebalance", { holder, shards: Number.isInteger(shards) ? shards : -1, by: form.get("by") ?? "buckets" });
    return planned.ok ? { moves: planned.body.moves, error: null } : { moves: [], error: planned.error };
  }
  const buckets = bucketList(form.get("buckets"));
  if (typeof buckets === "string") return { moves: [], error: buckets };
  const moves: MoveView[] = [];
  for (const bucket of buckets) {
    const created = await callApi<{ move: MoveView }>(c, "POST", "/shards/moves", { holder, bucket, to: form.get("to") ?? "" });
    if (!created.ok) return { moves, error: moves.length === 0 ? created.error : `bucket ${bucket}: ${created.error} (the moves recorded before it go ahead)` };
    moves.push(created.body.move);
  }
  return { moves, error: null };
}

export const consoleShards = new Hono<ConsoleEnv>()
  .get("/admin/console/shards", async (c) => show(c))
  .post("/admin/console/shards", async (c) => {
    const form = await consoleForm(c);
    const action = form.get("action");
    if (action === "continue") {
      const open = await mustGet<MovesResponse>(c, "/shards/moves?open=true&limit=100");
      inBackground(c, drive(c, open.moves));
      return show(c, { notice: `Driving ${open.moves.length} open move(s).` }, 202);
    }
    if (action !== "move" && action !== "rebalance") return show(c, { error: "unknown shards action" }, 400);
    const { moves, error } = await record(c, form);
    if (moves.length > 0) inBackground(c, drive(c, moves));
    if (error) return show(c, { error }, 400);
    if (moves.length === 0) return show(c, { notice: "Nothing to move: the buckets are already spread that way." });
    return show(c, { notice: `Started ${moves.length} move(s): buckets ${moves.map((m) => m.bucket).join(", ")}.` }, 202);
  });
