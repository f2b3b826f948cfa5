import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { stubFor } from "../../src/shard/stub";
import { currentDirectoryMap } from "../helpers/shards";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { call, json } from "../helpers/http";
import { registerClient } from "../helpers/oidc";

type TokenBody = { access_token?: string; refresh_token?: string; id_token?: string; scope?: string; error?: string };

let app: { clientId: string; auth: Record<string, string> };

beforeAll(async () => {
  const registered = await registerClient("confidential");
  app = { clientId: registered.clientId, auth: basic(registered.clientId, registered.secret!) };
});

async function family(scope?: string): Promise<TokenBody> {
  const issued = await issueCode(app.clientId, scope ? { scope } : {});
  const body = await json<TokenBody>(await tokenRequest(redeemFields(issued), app.auth));
  if (!body.refresh_token) throw new Error("no refresh token");
  return body;
}

const refresh = (token: string, extra: Record<string, string> = {}, auth = app.auth) =>
  tokenRequest({ grant_type: "refresh_token", refresh_token: token, ...extra }, auth);
const userinfo = (token: string) => call("/userinfo", { headers: { Authorization: `Bearer ${token}` } });

describe("refresh rotation (RFC 6749 §6, RFC 9700 §4.14.2)", () => {
  it("each refresh returns a new refresh token and retires the old one", async () => {
    const first = await family();
    const res = await refresh(first.refresh_token!);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const second = await json<TokenBody>(res);
    expect(second.refresh_token).toMatch(/^r\./);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.id_token).toBeTypeOf("string");
    expect((await userinfo(second.access_token!)).status).toBe(200);
    const third = await json<TokenBody>(await refresh(second.refresh_token!));
    expect(third.refresh_token).toBeTypeOf("string");
  });

  it("50 concurrent refreshes with one token: exactly one new token, and the family does not fork", async () => {
    const start = await family();
    const responses = await Promise.all(Array.from({ length: 50 }, () => refresh(start.refresh_token!)));
    const ok = responses.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    const bodies = await Promise.all(responses.filter((r) => r.status !== 200).map((r) => json<TokenBody>(r)));
    expect(new Set(bodies.map((b) => b.error))).toEqual(new Set(["invalid_grant"]));
    // The losers presented a retired token: theft detection revoked the family, the winner's token too.
    const winner = await json<TokenBody>(ok[0]!);
    expect((await refresh(winner.refresh_token!)).status).toBe(400);
    expect((await userinfo(winner.access_token!)).status).toBe(401);
  });

  it("reuse of a retired token revokes the whole family: the newest token is dead too", async () => {
    const first = await family();
    const second = await json<TokenBody>(await refresh(first.refresh_token!));
    const reuse = await refresh(first.refresh_token!);
    expect(reuse.status).toBe(400);
    expect((await json<TokenBody>(reuse)).error).toBe("invalid_grant");
    const newest = await refresh(second.refresh_token!);
    expect((await json<TokenBody>(newest)).error).toBe("invalid_grant");
    expect((await userinfo(second.access_token!)).status).toBe(401);
  });

  it("a forged token naming a real family is unknown: it gets nothing and revokes nothing", async () => {
    const start = await family();
    // r.<bucket>.<family>.<secret>: the family id is visible in access tokens (gid), the secret is not.
    const [prefix, bucket, grant] = start.refresh_token!.split(".");
    const forged = await refresh(`${prefix}.${bucket}.${grant}.${"Z".repeat(43)}`);
    expect((await json<TokenBody>(forged)).error).toBe("invalid_grant");
    expect((await refresh(start.refresh_token!)).status).toBe(200);
  });

  it("without a grace window the retired token keeps no sealed successor", async () => {
    const start = await family();
    await refresh(start.refresh_token!);
    const sub = JSON.parse(atob(start.access_token!.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))).sub as string;
    const shard = shardOf(await currentDirectoryMap(), bucketOf(sub));
    const grant = start.refresh_token!.split(".")[2]!;
    const rows = await runInDurableObject(stubFor(env, shard), (_instance, state) =>
      state.storage.sql.exec("SELECT generation, successor_enc FROM refresh_tokens WHERE grant_id = ?", grant).toArray(),
    );
    expect(rows).toEqual([{ generation: 0, successor_enc: null }]);
  });

  it("scope may be narrowed, never widened (RFC 6749 §6)", async () => {
    const start = await family("openid email offline_access");
    const narrowed = await json<TokenBody>(await refresh(start.refresh_token!, { scope: "openid offline_access" }));
    expect(narrowed.scope).toBe("openid offline_access");
    const wider = await refresh(narrowed.refresh_token!, { scope: "openid profile offline_access" });
    expect(wider.status).toBe(400);
    expect((await json<TokenBody>(wider)).error).toBe("invalid_scope");
  });

  it("a family is bound to its client: another client's refresh fails and reveals nothing", async () => {
    const other = await registerClient("confidential");
    const start = await family();
    const res = await refresh(start.refresh_token!, {}, basic(other.clientId, other.secret!));
    expect((await json<TokenBody>(res)).error).toBe("invalid_grant");
    // ...and the rightful client can still use it.
    expect((await refresh(start.refresh_token!)).status).toBe(200);
  });

  it("a disabled user's family ends", async () => {
    const issued = await issueCode(app.clientId);
    const body = await json<TokenBody>(await tokenRequest(redeemFields(issued), app.auth));
    const sub = JSON.parse(atob(body.access_token!.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))).sub as string;
    const { admin } = await import("../helpers/http");
    expect((await admin("POST", `/users/${sub}/disable`)).status).toBe(200);
    expect((await json<TokenBody>(await refresh(body.refresh_token!))).error).toBe("invalid_grant");
  });

  it.each([
    ["a token that is not ours", "nonsense"],
    ["a well-formed unknown token", `r.12.${"A".repeat(22)}.${"B".repeat(43)}`],
    ["a bucket out of range", `r.99999.${"A".repeat(22)}.${"B".repeat(43)}`],
  ])("%s is invalid_grant, never 500", async (_label, token) => {
    const res = await refresh(token);
    expect(res.status).toBe(400);
    expect((await json<TokenBody>(res)).error).toBe("invalid_grant");
  });

  it("a missing refresh_token is invalid_request", async () => {
    const res = await tokenRequest({ grant_type: "refresh_token" }, app.auth);
    expect((await json<TokenBody>(res)).error).toBe("invalid_request");
  });
});

describe("refresh grace window (client refresh_grace_s = 10)", () => {
  let graced: { clientId: string; auth: Record<string, string> };
  beforeAll(async () => {
    const registered = await registerClient("confidential", { refresh_grace_s: 10 });
    graced = { clientId: registered.clientId, auth: basic(registered.clientId, registered.secret!) };
  });

  async function gracedFamily(): Promise<TokenBody> {
    const issued = await issueCode(graced.clientId);
    return json<TokenBody>(await tokenRequest(redeemFields(issued), graced.auth));
  }

  it("50 concurrent refreshes with one token share one successor; the family does not fork", async () => {
    const start = await gracedFamily();
    const responses = await Promise.all(Array.from({ length: 50 }, () => refresh(start.refresh_token!, {}, graced.auth)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const bodies = await Promise.all(responses.map((r) => json<TokenBody>(r)));
    const successors = new Set(bodies.map((b) => b.refresh_token));
    expect(successors.size).toBe(1);
    // The one successor keeps the family going.
    const next = await refresh([...successors][0]!, {}, graced.auth);
    expect(next.status).toBe(200);
  });

  it("a client that lost the response retries with the retired token and gets the same successor", async () => {
    const start = await gracedFamily();
    const first = await json<TokenBody>(await refresh(start.refresh_token!, {}, graced.auth));
    const retry = await json<TokenBody>(await refresh(start.refresh_token!, {}, graced.auth));
    expect(retry.refresh_token).toBe(first.refresh_token);
  });

  it("after the grace window the retired token is reuse: the family is revoked, the successor too", async () => {
    const start = await gracedFamily();
    const second = await json<TokenBody>(await refresh(start.refresh_token!, {}, graced.auth));
    // Age the retirement past the 10 s window in the shard that holds the family.
    const sub = JSON.parse(atob(start.access_token!.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))).sub as string;
    const shard = shardOf(await currentDirectoryMap(), bucketOf(sub));
    await runInDurableObject(stubFor(env, shard), (_instance, state) => {
      state.storage.sql.exec("UPDATE refresh_tokens SET retired_at = retired_at - 11000 WHERE retired_at IS NOT NULL AND bucket = ?", bucketOf(sub));
    });
    const late = await refresh(start.refresh_token!, {}, graced.auth);
    expect((await json<TokenBody>(late)).error).toBe("invalid_grant");
    expect((await json<TokenBody>(await refresh(second.refresh_token!, {}, graced.auth))).error).toBe("invalid_grant");
  });

  it("once the successor has been used, the retired token is reuse: the family is revoked", async () => {
    const start = await gracedFamily();
    const second = await json<TokenBody>(await refresh(start.refresh_token!, {}, graced.auth));
    const third = await json<TokenBody>(await refresh(second.refresh_token!, {}, graced.auth));
    const stale = await refresh(start.refresh_token!, {}, graced.auth);
    expect((await json<TokenBody>(stale)).error).toBe("invalid_grant");
    expect((await json<TokenBody>(await refresh(third.refresh_token!, {}, graced.auth))).error).toBe("invalid_grant");
  });
});
