import { env, runInDurableObject } from "cloudflare:test";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { SWEEP_BATCH } from "../../src/actors/user-shard/sweep";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { stubFor } from "../../src/shard/stub";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { call, json } from "../helpers/http";
import { registerClient } from "../helpers/oidc";
import { currentDirectoryMap, rowsIn } from "../helpers/shards";

type TokenBody = { access_token: string; refresh_token: string };
const DAY = 24 * 3600 * 1000;

let auth: Record<string, string>;
let clientId: string;
beforeAll(async () => {
  const registered = await registerClient("confidential");
  clientId = registered.clientId;
  auth = basic(clientId, registered.secret!);
});

async function signedIn(): Promise<{ tokens: TokenBody; shard: string; userId: string }> {
  const issued = await issueCode(clientId);
  const tokens = await json<TokenBody>(await tokenRequest(redeemFields(issued), auth));
  const userId = decodeJwt(tokens.access_token).sub!;
  return { tokens, userId, shard: shardOf(await currentDirectoryMap(), bucketOf(userId)) };
}

function exec(shard: string, sql: string, ...bindings: SqlStorageValue[]): Promise<void> {
  return runInDurableObject(stubFor(env, shard), (_instance, state) => {
    state.storage.sql.exec(sql, ...bindings);
  });
}

describe("the shard sweep (housekeeping alarm)", () => {
  it("deletes long-expired codes, sessions and grants, keeps live ones, and is idempotent", async () => {
    const old = await signedIn();
    const live = await signedIn();
    const longAgo = Date.now() - 3 * DAY;
    await exec(old.shard, "UPDATE auth_codes SET expires_at = ? WHERE user_id = ?", longAgo, old.userId);
    await exec(old.shard, "UPDATE sessions SET expires_at = ?, idle_expires_at = ? WHERE user_id = ?", longAgo, longAgo, old.userId);
    await exec(old.shard, "UPDATE grants SET expires_at = ? WHERE user_id = ?", longAgo, old.userId);

    const shard = stubFor(env, old.shard);
    const first = await shard.sweep();
    expect(first.deleted.auth_codes).toBeGreaterThanOrEqual(1);
    const second = await shard.sweep();
    expect(Object.values(second.deleted).every((n) => n === 0)).toBe(true);

    for (const table of ["auth_codes", "sessions", "grants"]) {
      expect(await rowsIn(old.shard, table, "user_id = ?", old.userId)).toHaveLength(0);
      expect((await rowsIn(live.shard, table, "user_id = ?", live.userId)).length).toBeGreaterThan(0);
    }
    expect(await rowsIn(old.shard, "refresh_tokens", "grant_id NOT IN (SELECT id FROM grants)")).toHaveLength(0);
    // What was swept is refused, as before; what was kept still works.
    const swept = await tokenRequest({ grant_type: "refresh_token", refresh_token: old.tokens.refresh_token }, auth);
    expect((await json<{ error: string }>(swept)).error).toBe("invalid_grant");
    expect((await call("/userinfo", { headers: { Authorization: `Bearer ${live.tokens.access_token}` } })).status).toBe(200);
  });

  it("works in bounded batches and says when more is left", async () => {
    const { shard, userId } = await signedIn();
    const bucket = bucketOf(userId);
    const expired = Date.now() - 3 * DAY;
    await runInDurableObject(stubFor(env, shard), (_instance, state) => {
      for (let i = 0; i < SWEEP_BATCH + 50; i++) {
        state.storage.sql.exec(
          "INSERT INTO auth_codes (code_hash, bucket, user_id, client_id, redirect_uri, scope, sid, auth_time, created_at, expires_at) VALUES (?, ?, ?, 'c', 'r', 'openid', 's', 0, ?, ?)",
          `sweep-${i}`,
          bucket,
          userId,
          expired,
          expired,
        );
      }
    });
    const first = await stubFor(env, shard).sweep();
    expect(first.deleted.auth_codes).toBe(SWEEP_BATCH);
    expect(first.more).toBe(true);
    const second = await stubFor(env, shard).sweep();
    expect(second.deleted.auth_codes).toBeGreaterThanOrEqual(50);
    expect(await rowsIn(shard, "auth_codes", "code_hash LIKE 'sweep-%'")).toHaveLength(0);
  });

  it("drops revoked-jti rows only after the token they name has expired", async () => {
    const { shard, userId } = await signedIn();
    const bucket = bucketOf(userId);
    await exec(shard, "INSERT INTO revoked_tokens (jti, bucket, grant_id, expires_at, revoked_at) VALUES ('gone', ?, NULL, ?, 0)", bucket, Date.now() - 1000);
    await exec(shard, "INSERT INTO revoked_tokens (jti, bucket, grant_id, expires_at, revoked_at) VALUES ('kept', ?, NULL, ?, 0)", bucket, Date.now() + 600_000);
    await stubFor(env, shard).sweep();
    expect(await rowsIn(shard, "revoked_tokens", "jti = 'gone'")).toHaveLength(0);
    expect(await rowsIn(shard, "revoked_tokens", "jti = 'kept'")).toHaveLength(1);
  });
});
