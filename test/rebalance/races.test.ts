import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { bucketOf } from "../../src/shard/bucket";
import { stubFor } from "../../src/shard/stub";
import { basic, issueCode, redeemFields, tokenRequest, type IssuedCode } from "../helpers/codes";
import { call, json } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { rowsIn } from "../helpers/shards";
import { bucketRows, drive, ownerOf, planMove } from "./helpers";
import { seedBucket } from "./seed";

type TokenBody = { access_token?: string; refresh_token?: string; error?: string };

let app: { clientId: string; auth: Record<string, string> };
let user: { id: string; email: string; password: string };
let bucket: number;

beforeAll(async () => {
  const registered = await registerClient("confidential");
  app = { clientId: registered.clientId, auth: basic(registered.clientId, registered.secret!) };
  user = await createUser();
  bucket = bucketOf(user.id);
  // Weight the bucket so the copy takes a while and requests overlap every step.
  await seedBucket((await ownerOf(bucket)).shard, bucket, 400, "ballast");
});

const refresh = (token: string) => tokenRequest({ grant_type: "refresh_token", refresh_token: token }, app.auth);

async function codes(n: number): Promise<IssuedCode[]> {
  const first = await issueCode(app.clientId, { user });
  const rest: IssuedCode[] = [first];
  for (let i = 1; i < n; i++) rest.push(await issueCode(app.clientId, { user, browser: first.browser }));
  return rest;
}

async function families(n: number): Promise<string[]> {
  const issued = await codes(n);
  return Promise.all(issued.map(async (c) => (await json<TokenBody>(await tokenRequest(redeemFields(c), app.auth))).refresh_token!));
}

/** Moves the bucket to the next shard and back, a step at a time, so requests land in every step. */
async function shuttle(rounds: number): Promise<number[]> {
  const fences: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const { shard } = await ownerOf(bucket);
    const to = shard === "shard-0" ? "shard-1" : "shard-0";
    const move = await planMove(bucket, to);
    let step = move.step;
    while (step !== "done") {
      const next = await drive(move.id, { steps: 1 });
      step = next.step;
      if (next.fence_ms !== null && step === "done") fences.push(next.fence_ms);
      // (No timers here: under a request storm, timers in the test isolate fire late.)
      await ownerOf(bucket);
    }
  }
  return fences;
}

describe("requests racing a bucket move", () => {
  it("refresh chains keep working through moves; every token is accepted once and no family forks", async () => {
    const starts = await families(4);
    let moving = true;
    const accepted: string[][] = starts.map(() => []);
    const failures: string[] = [];
    const chains = starts.map(async (start, i) => {
      let token = start;
      for (let n = 0; (moving || n < 3) && n < 2_000; n++) {
        const res = await refresh(token);
        const body = await json<TokenBody>(res);
        if (res.status !== 200) {
          failures.push(`${res.status} ${body.error}`);
          break;
        }
        accepted[i]!.push(token);
        token = body.refresh_token!;
      }
      return token;
    });
    const began = Date.now();
    try {
      const fences = await shuttle(3);
      console.log(`[races] 3 moves in ${Date.now() - began} ms, fences ${fences.join(", ")} ms, rotations ${accepted.map((a) => a.length).join(", ")}`);
    } finally {
      moving = false;
    }
    const lasts = await Promise.all(chains);
    expect(failures).toEqual([]);
    for (const list of accepted) {
      expect(list.length).toBeGreaterThan(3);
      expect(new Set(list).size).toBe(list.length);
    }
    // Every retired token is refused (and its reuse kills the family): try one per family at the end.
    for (const [i, list] of accepted.entries()) {
      const replay = await refresh(list[list.length - 1]!);
      expect(replay.status, `family ${i}`).toBe(400);
      expect((await refresh(lasts[i]!)).status).toBe(400); // the family is revoked by the reuse
    }
    await expectNoFork();
  });

  it("the same refresh token presented twice during a move is redeemed at most once", async () => {
    const starts = await families(6);
    const racing = starts.map(async (token, i) => {
      await new Promise((r) => setTimeout(r, i * 40));
      const pair = await Promise.all([refresh(token), refresh(token)]);
      return pair.filter((r) => r.status === 200).length;
    });
    await shuttle(1);
    const wins = await Promise.all(racing);
    expect(wins.every((w) => w <= 1)).toBe(true);
    await expectNoFork();
  });

  it("a code redeemed twice during a move issues tokens at most once", async () => {
    const issued = await codes(8);
    const racing = issued.map(async (code, i) => {
      await new Promise((r) => setTimeout(r, i * 30));
      const pair = await Promise.all([tokenRequest(redeemFields(code), app.auth), tokenRequest(redeemFields(code), app.auth)]);
      return pair.map((r) => r.status);
    });
    await shuttle(1);
    for (const statuses of await Promise.all(racing)) {
      expect(statuses.filter((s) => s === 200).length).toBe(1);
      expect(statuses.filter((s) => s !== 200)).toEqual([400]);
    }
    const owner = (await ownerOf(bucket)).shard;
    const redeemed = await rowsIn(owner, "auth_codes", "bucket = ? AND user_id = ? AND redeemed_at IS NOT NULL", bucket, user.id);
    expect(redeemed.length).toBeGreaterThanOrEqual(8);
  });

  it("a router with a stale map is corrected by wrong_shard and answers from the new owner", async () => {
    const [token] = await families(1);
    const first = await json<TokenBody>(await refresh(token!)); // warms the router's map cache
    const { shard: from } = await ownerOf(bucket);
    const to = from === "shard-0" ? "shard-1" : "shard-0";
    await drive((await planMove(bucket, to)).id);
    // The old owner refuses; the router, still holding the old map, asks it first.
    expect(await stubFor(env, from).getUser(bucket, user.id)).toMatchObject({ ok: false, error: "wrong_shard" });
    const rotated = await refresh(first.refresh_token!);
    expect(rotated.status).toBe(200);
    const { access_token } = await json<TokenBody>(rotated);
    expect((await call("/userinfo", { headers: { Authorization: `Bearer ${access_token}` } })).status).toBe(200);
    expect(await bucketRows(from, bucket)).toEqual({});
  });
});

/** On the owner: per family, distinct retired generations, all below the current one; the old owner holds none. */
async function expectNoFork(): Promise<void> {
  const owner = (await ownerOf(bucket)).shard;
  const tokens = await rowsIn(owner, "refresh_tokens", "bucket = ? AND grant_id NOT LIKE 'g-ballast-%'", bucket);
  const byGrant = new Map<string, Array<Record<string, SqlStorageValue>>>();
  for (const row of tokens) byGrant.set(String(row.grant_id), [...(byGrant.get(String(row.grant_id)) ?? []), row]);
  expect(byGrant.size).toBeGreaterThan(0);
  const current = new Map((await rowsIn(owner, "grants", "bucket = ?", bucket)).map((g) => [String(g.id), Number(g.refresh_generation)]));
  for (const [grant, rows] of byGrant) {
    const generations = rows.map((r) => Number(r.generation));
    expect(new Set(generations).size, `grant ${grant}`).toBe(generations.length);
    expect(Math.max(...generations), `grant ${grant}`).toBeLessThan(current.get(grant)!);
  }
  for (const shard of ["shard-0", "shard-1", "shard-2", "shard-3"].filter((s) => s !== owner)) {
    expect(await rowsIn(shard, "refresh_tokens", "bucket = ?", bucket)).toEqual([]);
  }
}
