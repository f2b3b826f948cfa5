import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MAP_SNAPSHOT_KEY, type MapSnapshot } from "../../src/actors/directory/api";
import { bucketOfArtifact } from "../../src/oauth/artifacts";
import { forgetMap } from "../../src/router/shards/map-cache";
import { shardOf } from "../../src/shard/map";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { json } from "../helpers/http";
import { registerClient } from "../helpers/oidc";
import { copyBucketRows, currentDirectoryMap, directory, rowsIn } from "../helpers/shards";
import { emptyKv, envWith, expectBackedOff, expectUnavailable, Outage, refreshHealthy, refreshWith, sender, unreachableActor, unreachableKv } from "./outage";

/**
 * The shard directory down (README "When a dependency fails"). Routing needs only a
 * map; the directory is asked for one in the background past MAP_CACHE_TTL_MS, and
 * awaited only by a cold isolate or after a shard said wrong_shard. Fencing keeps a
 * stale map safe: a shard that gave a bucket away refuses it.
 */

type Tokens = { access_token: string; refresh_token: string };
let client: { clientId: string; secret?: string | undefined };

beforeAll(async () => {
  client = await registerClient("confidential");
});

// The map cache is per isolate (module state): each test starts from an isolate that has asked nothing.
afterEach(() => forgetMap());

async function signedIn(): Promise<Tokens> {
  const issued = await issueCode(client.clientId);
  const res = await tokenRequest(redeemFields(issued), basic(client.clientId, client.secret!));
  expect(res.status).toBe(200);
  return json<Tokens>(res);
}

function directoryDown(outage: Outage, extra: Parameters<typeof envWith>[0] = {}) {
  return envWith({ SHARD_DIRECTORY: unreachableActor(env.SHARD_DIRECTORY, outage), ...extra });
}

/** Waits until the directory's snapshot in KV carries `version` (it is written in the background). */
async function snapshotAt(version: number): Promise<MapSnapshot> {
  let snapshot: MapSnapshot | null = null;
  await vi.waitFor(
    async () => {
      snapshot = await env.MAP_SNAPSHOT.get<MapSnapshot>(MAP_SNAPSHOT_KEY, "json");
      expect(snapshot?.version).toBe(version);
    },
    { timeout: 5_000, interval: 50 },
  );
  return snapshot!;
}

describe("shard directory unavailable", () => {
  it("a warm isolate keeps routing with the map it holds once the map has expired, and asks the directory again only after a backoff", async () => {
    let tokens = await signedIn(); // routes, so this isolate holds the map
    const outage = new Outage();
    // MAP_CACHE_TTL_MS=0: the held map is expired for every request.
    const down = directoryDown(outage, { MAP_CACHE_TTL_MS: "0" });
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      const res = await refreshWith(down, client, tokens.refresh_token);
      expect(res.status).toBe(200);
      tokens = await json<Tokens>(res);
      const userinfo = await sender(down)("/userinfo", { headers: { Authorization: `Bearer ${tokens.access_token}` } });
      expect(userinfo.status).toBe(200);
    }
    // Each request found the map expired; the background refreshes failed, and backed off.
    await vi.waitFor(() => expect(outage.calls).toBeGreaterThanOrEqual(1), { timeout: 2_000, interval: 10 });
    expectBackedOff(outage, started, 10);
  });

  it("a cold isolate routes from the snapshot the directory published to KV", async () => {
    const { version } = await currentDirectoryMap();
    await snapshotAt(version);
    const tokens = await signedIn();
    forgetMap(); // a new isolate: no map held

    const outage = new Outage();
    const down = directoryDown(outage);
    const started = Date.now();
    const res = await refreshWith(down, client, tokens.refresh_token);
    expect(res.status).toBe(200);
    expect(outage.calls).toBe(1);
    const next = await json<Tokens>(res);
    // The snapshot is held now: the next requests route by it, asking the directory again only after backoffs.
    let token = next.refresh_token;
    for (let i = 0; i < 4; i++) {
      const again = await refreshWith(down, client, token);
      expect(again.status).toBe(200);
      token = (await json<Tokens>(again)).refresh_token;
    }
    expectBackedOff(outage, started, 5);
  });

  it("a cold isolate with neither directory nor snapshot answers 503 temporarily_unavailable with Retry-After, and spends nothing", async () => {
    const tokens = await signedIn();
    for (const kv of [emptyKv(), unreachableKv(new Outage())]) {
      forgetMap();
      const res = await refreshWith(directoryDown(new Outage(), { MAP_SNAPSHOT: kv }), client, tokens.refresh_token);
      await expectUnavailable(res);
    }
    // The refresh token was never presented to a shard: it still works once the directory is back.
    forgetMap();
    expect((await refreshHealthy(client, tokens.refresh_token)).status).toBe(200);
  });

  it("after a bucket moved, a stale map and no directory: the old owner refuses, nothing is written anywhere, and the client gets 503", async () => {
    const tokens = await signedIn(); // this isolate now holds the map from before the move
    const bucket = bucketOfArtifact("r", tokens.refresh_token)!;
    const map = await currentDirectoryMap();
    const from = shardOf(map, bucket);
    const to = map.shards.find((s) => s !== from)!;
    await copyBucketRows(from, to, bucket);
    expect((await directory().assignBucket(bucket, to)).ok).toBe(true);
    const before = { from: await rowsIn(from, "grants", "bucket = ?", bucket), to: await rowsIn(to, "grants", "bucket = ?", bucket) };

    const outage = new Outage();
    const res = await refreshWith(directoryDown(outage), client, tokens.refresh_token);
    await expectUnavailable(res);
    expect(outage.calls).toBe(1); // the wrong_shard asked for a newer map, once

    // Neither shard rotated the token: the old owner refused (fenced), the new one was never asked.
    expect(await rowsIn(from, "grants", "bucket = ?", bucket)).toEqual(before.from);
    expect(await rowsIn(to, "grants", "bucket = ?", bucket)).toEqual(before.to);
    // With the directory back, the same token rotates on the new owner for a client that honours Retry-After
    // (this isolate asks the directory again only once its backoff has run out).
    const retryAfterS = Number(res.headers.get("Retry-After"));
    expect(retryAfterS).toBeLessThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, retryAfterS * 1000));
    const healthy = await refreshHealthy(client, tokens.refresh_token);
    expect(healthy.status).toBe(200);
    const after = await rowsIn(to, "grants", "bucket = ?", bucket);
    expect(after).not.toEqual(before.to);
    expect(await rowsIn(from, "grants", "bucket = ?", bucket)).toEqual(before.from);
  });
});
