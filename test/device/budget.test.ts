import { createExecutionContext, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { sha256 } from "../../src/oauth/secrets";
import { app } from "../../src/router/app";
import { shardOf } from "../../src/shard/map";
import { stubFor } from "../../src/shard/stub";
import type { UserShardActor } from "../../src/actors/user-shard/actor";
import { ORIGIN } from "../helpers/http";
import { rowsIn, currentDirectoryMap } from "../helpers/shards";
import { deviceClient, form, DEVICE_GRANT, startDevice } from "./helpers";

/**
 * DESIGN.md: /token makes one actor call and no D1 call. A pending device poll
 * (RFC 8628 §3.4) — what a device does every few seconds — keeps to that; and its
 * state is an ordinary bucket's row: in the shard that owns the device code's
 * bucket, hashed, and swept once long dead.
 */
describe("device code polling costs and where its state lives", () => {
  it("a pending poll is one actor call and no D1 statement", async () => {
    const client = await deviceClient("confidential");
    const auth = await startDevice(client);
    const points: AnalyticsEngineDataPoint[] = [];
    const workerEnv = { ...(env as unknown as Env), REQUEST_METRICS: { writeDataPoint: (p: AnalyticsEngineDataPoint) => points.push(p ?? {}) } };
    const init = form(client, { grant_type: DEVICE_GRANT, device_code: auth.device_code });
    const res = await app.fetch(new Request(new URL("/token", ORIGIN), init), workerEnv, createExecutionContext());
    expect(res.status).toBe(400);
    expect(points).toHaveLength(1);
    expect(points[0]!.blobs![4]).toBe("authorization_pending");
    expect(points[0]!.doubles!.slice(2)).toEqual([1, 0, 0]); // actor calls, D1 statements, shard retries
  });

  it("the row sits in the device code's bucket, keyed by hashes only, and the sweep removes it a day after expiry", async () => {
    const client = await deviceClient("public");
    const auth = await startDevice(client);
    const bucket = Number(auth.device_code.split(".")[1]);
    const shard = shardOf(await currentDirectoryMap(), bucket);
    const [row] = await rowsIn(shard, "device_requests", "device_code_hash = ?", await sha256(auth.device_code));
    expect(row).toMatchObject({ bucket, user_code_hash: await sha256(auth.user_code.replace("-", "")), status: "pending", client_id: client.clientId });
    expect(JSON.stringify(row)).not.toContain(auth.user_code.replace("-", ""));

    const hash = await sha256(auth.device_code);
    await runInDurableObject(stubFor(env, shard) as DurableObjectStub<UserShardActor>, (instance, state) => {
      state.storage.sql.exec("UPDATE device_requests SET expires_at = ? WHERE device_code_hash = ?", Date.now() - 25 * 3600 * 1000, hash);
      instance.sweep();
    });
    expect(await rowsIn(shard, "device_requests", "device_code_hash = ?", hash)).toEqual([]);
  });
});
