import { env } from "cloudflare:test";
import { base64url, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import type { SigningAlg } from "../../src/oauth/signing-alg";
import { publishedJwks, signJwt, verifyJwt } from "../../src/router/keys/cache";
import { claims, config, keyManager, kidOf, resetKeys, sqlInKeyManager } from "./helpers";

const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

/** A JWT signed by `key` with exactly the header given: for tokens we would never issue. */
function forge(header: { alg: string; kid?: string; typ?: string }, payload: JWTPayload, key: CryptoKey | Uint8Array) {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}

async function activeKid(alg: SigningAlg): Promise<string> {
  return (await keyManager().keySet()).active[alg].kid;
}

/** A private key the key manager holds but this isolate's cache has not seen yet. */
async function storedPrivateKey(state: string, alg: SigningAlg): Promise<{ kid: string; key: CryptoKey | Uint8Array }> {
  const [row] = await sqlInKeyManager("SELECT kid, private_jwk FROM signing_keys WHERE state = ? AND alg = ?", state, alg);
  return { kid: String(row!.kid), key: await importJWK(JSON.parse(String(row!.private_jwk)) as JWK, alg) };
}

beforeEach(resetKeys);
afterEach(() => vi.useRealTimers());

describe("signJwt / verifyJwt", () => {
  it.each(["ES256", "RS256"] as const)("signs with the active %s key, kid in the header, and verifies it", async (alg) => {
    const token = await signJwt(env, config, alg, claims(), { typ: "at+jwt" });
    expect(kidOf(token)).toBe(await activeKid(alg));
    const result = await verifyJwt(env, config, token, { typ: "at+jwt", audience: "client-1" });
    expect(result).toMatchObject({ ok: true, kid: await activeKid(alg), payload: { sub: "user-1" } });
  });

  it("compares typ case-insensitively, with or without application/ (RFC 9068 §4, RFC 7515 §4.1.9)", async () => {
    const token = await signJwt(env, config, "ES256", claims(), { typ: "at+jwt" });
    for (const typ of ["at+jwt", "AT+JWT", "application/at+jwt", "Application/At+JWT"]) {
      expect(await verifyJwt(env, config, token, { typ })).toMatchObject({ ok: true });
    }
  });

  it("rejects a token of another type (RFC 8725 §3.11: an ID token is not an access token)", async () => {
    const idToken = await signJwt(env, config, "ES256", claims(), { typ: "JWT" });
    expect(await verifyJwt(env, config, idToken, { typ: "at+jwt" })).toEqual({ ok: false, reason: "typ_invalid" });
    const untyped = await signJwt(env, config, "ES256", claims());
    expect(await verifyJwt(env, config, untyped, { typ: "at+jwt" })).toEqual({ ok: false, reason: "typ_invalid" });
  });

  it("rejects another issuer, another audience, and missing exp or iat (RFC 9068 §2.2)", async () => {
    const other = await signJwt(env, config, "ES256", claims(600, { iss: "https://evil.example" }));
    expect(await verifyJwt(env, config, other, {})).toEqual({ ok: false, reason: "iss_invalid" });
    const token = await signJwt(env, config, "ES256", claims());
    expect(await verifyJwt(env, config, token, { audience: "client-2" })).toEqual({ ok: false, reason: "aud_invalid" });
    const { exp: _exp, ...noExp } = claims();
    expect(await verifyJwt(env, config, await signJwt(env, config, "ES256", noExp), {})).toEqual({ ok: false, reason: "exp_missing" });
    const { iat: _iat, ...noIat } = claims();
    expect(await verifyJwt(env, config, await signJwt(env, config, "ES256", noIat), {})).toEqual({ ok: false, reason: "iat_missing" });
  });

  it("rejects an expired token beyond the clock tolerance, and one issued in the future", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await signJwt(env, config, "ES256", claims(600, { iat: now - 700, exp: now - 100 }));
    expect(await verifyJwt(env, config, expired, {})).toEqual({ ok: false, reason: "expired" });
    const future = await signJwt(env, config, "ES256", claims(600, { iat: now + 300, exp: now + 900 }));
    expect(await verifyJwt(env, config, future, {})).toEqual({ ok: false, reason: "iat_in_future" });
  });

  it("rejects a tampered payload or signature (RFC 7515 §5.2)", async () => {
    const token = await signJwt(env, config, "ES256", claims());
    const [header, payload, signature] = token.split(".");
    const admin = encode({ ...JSON.parse(new TextDecoder().decode(base64url.decode(payload!))), sub: "admin" });
    expect(await verifyJwt(env, config, `${header}.${admin}.${signature}`, {})).toEqual({ ok: false, reason: "bad_signature" });
    const flipped = signature!.slice(0, 10) + (signature![10] === "A" ? "B" : "A") + signature!.slice(11);
    expect(await verifyJwt(env, config, `${header}.${payload}.${flipped}`, {})).toEqual({ ok: false, reason: "bad_signature" });
  });

  it('rejects alg "none" and HS256 keyed with our public key (RFC 8725 §2.1, §3.1)', async () => {
    const kid = await activeKid("ES256");
    const none = `${encode({ alg: "none", kid })}.${encode(claims())}.`;
    expect(await verifyJwt(env, config, none, {})).toEqual({ ok: false, reason: "alg_not_allowed" });
    const publicJwk = (await publishedJwks(env, config)).keys.find((k) => k.kid === kid)!;
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const hs = await forge({ alg: "HS256", kid }, claims(), secret);
    expect(await verifyJwt(env, config, hs, {})).toEqual({ ok: false, reason: "alg_not_allowed" });
  });

  it("rejects a token whose alg is not the alg of the key its kid names", async () => {
    const esKid = await activeKid("ES256");
    const rsa = await storedPrivateKey("active", "RS256");
    const token = await forge({ alg: "RS256", kid: esKid }, claims(), rsa.key);
    expect(await verifyJwt(env, config, token, {})).toEqual({ ok: false, reason: "alg_mismatch" });
  });

  it("rejects a missing or unknown kid", async () => {
    const stranger = await generateKeyPair("ES256");
    expect(await verifyJwt(env, config, await forge({ alg: "ES256" }, claims(), stranger.privateKey), {})).toEqual({
      ok: false,
      reason: "kid_missing",
    });
    const unknown = await forge({ alg: "ES256", kid: "not-ours" }, claims(), stranger.privateKey);
    expect(await verifyJwt(env, config, unknown, {})).toEqual({ ok: false, reason: "unknown_kid" });
  });

  it("never throws on garbage", async () => {
    const inputs: unknown[] = ["", "a.b.c", "not a jwt", "...", "x".repeat(20_000), null, 42, `${encode("str")}.e30.`];
    for (const input of inputs) {
      expect(await verifyJwt(env, config, input as string, {})).toMatchObject({ ok: false });
    }
  });

  it("signJwt refuses an algorithm it does not sign with (misuse is a TypeError)", async () => {
    await expect(signJwt(env, config, "HS256" as SigningAlg, claims())).rejects.toThrow(TypeError);
  });
});

describe("the per-isolate key cache", () => {
  /** The same env, counting how often the key manager is called. */
  function countingEnv(): { env: Env; calls: () => number } {
    let calls = 0;
    const namespace = env.KEY_MANAGER;
    const counted = {
      idFromName: (name: string) => namespace.idFromName(name),
      get: (id: DurableObjectId) => {
        calls += 1;
        return namespace.get(id);
      },
    } as unknown as Env["KEY_MANAGER"];
    return { env: { ...env, KEY_MANAGER: counted }, calls: () => calls };
  }

  it("signs and verifies many tokens with one actor call", async () => {
    const counting = countingEnv();
    for (let i = 0; i < 5; i++) {
      const token = await signJwt(counting.env, config, i % 2 ? "RS256" : "ES256", claims());
      expect(await verifyJwt(counting.env, config, token, {})).toMatchObject({ ok: true });
    }
    expect(counting.calls()).toBe(1);
  });

  it("refreshes once for a kid it does not know yet, at most once per 5 seconds", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const counting = countingEnv();
    await publishedJwks(counting.env, config);
    // Another isolate rotated twice: the key now next did not exist when this isolate cached.
    await keyManager().rotate();
    await keyManager().rotate();
    const fresh = await storedPrivateKey("next", "ES256");
    const token = await forge({ alg: "ES256", kid: fresh.kid }, claims(), fresh.key);
    expect(await verifyJwt(counting.env, config, token, {})).toMatchObject({ ok: true, kid: fresh.kid });
    expect(counting.calls()).toBe(2);

    const stranger = await generateKeyPair("ES256");
    const garbage = await forge({ alg: "ES256", kid: "not-ours" }, claims(), stranger.privateKey);
    for (let i = 0; i < 5; i++) expect(await verifyJwt(counting.env, config, garbage, {})).toEqual({ ok: false, reason: "unknown_kid" });
    expect(counting.calls()).toBe(2);
    vi.advanceTimersByTime(5_000);
    await verifyJwt(counting.env, config, garbage, {});
    expect(counting.calls()).toBe(3);
  });
});
