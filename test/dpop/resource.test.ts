import { exportJWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { bucketOf } from "../../src/shard/bucket";
import { call, json } from "../helpers/http";
import { rowsIn } from "../helpers/shards";
import { shardOfBucket } from "./shard";
import { athOf, boundTokens, dpopClient, tokenWith, expectDpopChallenge, proof, proofKey, userinfo, userinfoProof, USERINFO_URL, type ProofKey, type TokenBody } from "./helpers";

/**
 * DPoP at a protected resource, /userinfo (RFC 9449 §7): a bound token needs
 * `Authorization: DPoP` and a proof of its key naming it (`ath`); every refusal is a
 * 401 with a DPoP challenge (§7.1) and writes nothing.
 */
describe("/userinfo with a DPoP-bound token (RFC 9449 §7)", () => {
  let key: ProofKey;
  let tokens: TokenBody;
  let sub: string;

  beforeAll(async () => {
    key = await proofKey();
    tokens = await boundTokens(await dpopClient("public"), key);
    sub = JSON.parse(atob(tokens.access_token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))).sub;
  });

  it("works with Authorization: DPoP and a proof with ath (§7.1)", async () => {
    const res = await userinfo(tokens.access_token, await userinfoProof(key, tokens.access_token));
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await json<{ sub: string }>(res)).sub).toBe(sub);
  });

  it("the bound token presented as Bearer is refused (§7.2), with or without a proof", async () => {
    for (const dpop of [null, await userinfoProof(key, tokens.access_token)]) {
      const res = await userinfo(tokens.access_token, dpop, "Bearer");
      await expectDpopChallenge(res, "invalid_token");
    }
  });

  const now = () => Math.floor(Date.now() / 1000);
  const refusals: Array<[string, (token: string) => Promise<string | null>]> = [
    ["no proof", async () => null],
    ["a proof of another key", async (token) => userinfoProof(await proofKey(), token)],
    ["another method (htm POST for a GET)", async (token) => userinfoProof(key, token, { htm: "POST" })],
    ["another URL (htu)", async (token) => userinfoProof(key, token, { htu: `${USERINFO_URL}/other` })],
    ["no ath", async () => proof(key, { htm: "GET", htu: USERINFO_URL })],
    ["the ath of another token", async (token) => userinfoProof(key, token, { ath: await athOf(`${token}x`) })],
    ["an expired iat (§11.1)", async (token) => userinfoProof(key, token, { iat: now() - 3600 })],
    ["a bad signature", async (token) => {
      const good = await userinfoProof(key, token);
      const [h, p] = good.split(".");
      const other = (await userinfoProof(key, token)).split(".")[2];
      return `${h}.${p}.${other!.split("").reverse().join("")}`;
    }],
    ["alg none", async (token) => {
      const b64 = (v: unknown) => btoa(JSON.stringify(v)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
      return `${b64({ alg: "none", typ: "dpop+jwt", jwk: key.jwk })}.${b64({ jti: "n", htm: "GET", htu: USERINFO_URL, iat: now(), ath: await athOf(token) })}.`;
    }],
    ["a private key in jwk", async (token) => userinfoProof({ ...key, jwk: await exportJWK(key.pair.privateKey) }, token)],
  ];

  it.each(refusals)("refuses %s: 401 invalid_dpop_proof with a DPoP challenge, nothing written", async (_label, make) => {
    const bucket = bucketOf(sub);
    const shard = await shardOfBucket(bucket);
    const before = (await rowsIn(shard, "dpop_proofs", "bucket = ?", bucket)).length;
    const res = await userinfo(tokens.access_token, await make(tokens.access_token));
    await expectDpopChallenge(res, "invalid_dpop_proof");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect((await json<{ error: string }>(res)).error).toBe("invalid_dpop_proof");
    expect((await rowsIn(shard, "dpop_proofs", "bucket = ?", bucket)).length).toBe(before);
  });

  it("an unbound token presented with the DPoP scheme is refused as invalid_token", async () => {
    const client = await dpopClient("public");
    const { issueCode } = await import("../helpers/codes");
    const { redeem } = await import("./helpers");
    const bearer = await json<TokenBody>(await redeem(client, await issueCode(client.clientId), null));
    await expectDpopChallenge(await userinfo(bearer.access_token, await userinfoProof(key, bearer.access_token)), "invalid_token");
    expect((await userinfo(bearer.access_token, null, "Bearer")).status).toBe(200);
  });
});

describe("proof replay (RFC 9449 §11.1)", () => {
  it("10 concurrent /userinfo requests with one proof: exactly one succeeds, the others get invalid_dpop_proof", async () => {
    const key = await proofKey();
    const tokens = await boundTokens(await dpopClient("public"), key);
    const shared = await userinfoProof(key, tokens.access_token);
    const results = await Promise.all(Array.from({ length: 10 }, () => userinfo(tokens.access_token, shared)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const res of results.filter((r) => r.status !== 200)) await expectDpopChallenge(res, "invalid_dpop_proof");
    // A fresh proof still works: the replays revoked nothing.
    expect((await userinfo(tokens.access_token, await userinfoProof(key, tokens.access_token))).status).toBe(200);
  });
});

describe("proof replay at /token (RFC 9449 §11.1), raced", () => {
  // With a refresh grace window, concurrent refreshes of one token all succeed (RFC 9700
  // §4.14.2 retries): what stops nine of ten here is the proof's jti alone.
  it("10 concurrent refreshes with one proof: exactly one succeeds; with ten proofs, all ten do", async () => {
    const client = await dpopClient("public", { refresh_grace_s: 60 });
    const key = await proofKey();
    const tokens = await boundTokens(client, key);
    const fields = { grant_type: "refresh_token", refresh_token: tokens.refresh_token! };
    const shared = await proof(key);
    const raced = await Promise.all(Array.from({ length: 10 }, () => tokenWith(client, fields, shared)));
    expect(raced.filter((r) => r.status === 200)).toHaveLength(1);
    for (const res of raced.filter((r) => r.status !== 200)) expect((await json<TokenBody>(res)).error).toBe("invalid_dpop_proof");

    const again = await boundTokens(client, key);
    const proofs = await Promise.all(Array.from({ length: 10 }, () => proof(key)));
    const distinct = await Promise.all(proofs.map((p) => tokenWith(client, { grant_type: "refresh_token", refresh_token: again.refresh_token! }, p)));
    expect(distinct.map((r) => r.status)).toEqual(Array(10).fill(200));
  });
});

describe("CORS for browser clients (RFC 9449 §8)", () => {
  it("a preflight allows the DPoP header; responses expose DPoP-Nonce and WWW-Authenticate", async () => {
    const preflight = await call("/token", { method: "OPTIONS", headers: { Origin: "https://spa.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "dpop" } });
    expect(preflight.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("dpop");
    const res = await call("/userinfo", { headers: { Origin: "https://spa.example" } });
    const exposed = res.headers.get("Access-Control-Expose-Headers")?.toLowerCase() ?? "";
    expect(exposed).toContain("dpop-nonce");
    expect(exposed).toContain("www-authenticate");
  });
});
