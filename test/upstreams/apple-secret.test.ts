import { env } from "cloudflare:test";
import { decodeProtectedHeader, exportPKCS8, generateKeyPair, jwtVerify, decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { APPLE_MAX_LIFETIME_S } from "../../src/federation/apple-secret";
import { getUpstreamRow } from "../../src/router/d1/upstreams";
import { clientAuth } from "../../src/router/federation/upstream-client";
import { admin, json } from "../helpers/http";

/**
 * Sign in with Apple's client secret, minted by the provider (README "Sign in with other
 * providers (federation)"): Apple's "Creating a client secret" rule — an ES256 JWT signed
 * with the team's .p8 key, header {alg: ES256, kid: Key ID}, claims iss = Team ID, iat,
 * exp ≤ iat + 15777000 s, aud = https://appleid.apple.com, sub = the Services ID — made
 * for the token request from the key the operator stored (sealed, never shown).
 */
const TEAM = "TEAM123456";
const KID = "KEY9876543";

async function p8(alg: "ES256" | "ES384" | "RS256" = "ES256") {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { pem: await exportPKCS8(privateKey), publicKey };
}

function put(id: string, body: Record<string, unknown>) {
  return admin("PUT", `/upstreams/${id}`, body);
}

/** The client_secret the token request to Apple carries (client_secret_post). */
async function tokenRequestSecret(id: string): Promise<string | null> {
  const row = await getUpstreamRow(env.DB, id);
  const auth = await clientAuth(loadConfig(env), row!);
  const body = new URLSearchParams();
  await auth({ issuer: "https://appleid.apple.com" }, { client_id: row!.clientId }, body, new Headers());
  return body.get("client_secret");
}

describe("Apple's client secret, minted per token request", () => {
  it("is an ES256 JWT with exactly Apple's header and claims, verifying with the team's public key", async () => {
    const { pem, publicKey } = await p8();
    const res = await put("apple-mint", { preset: "apple", client_id: "com.example.web", apple_team_id: TEAM, apple_key_id: KID, apple_private_key: pem });
    expect(res.status).toBe(201);
    const before = Math.floor(Date.now() / 1000);
    const jwt = await tokenRequestSecret("apple-mint");
    expect(jwt).toBeTypeOf("string");
    expect(decodeProtectedHeader(jwt!)).toEqual({ alg: "ES256", kid: KID });
    const { payload } = await jwtVerify(jwt!, publicKey, { algorithms: ["ES256"], issuer: TEAM, audience: "https://appleid.apple.com", subject: "com.example.web" });
    expect(Object.keys(payload).sort()).toEqual(["aud", "exp", "iat", "iss", "sub"]);
    expect(payload.aud).toBe("https://appleid.apple.com");
    expect(payload.iat).toBeGreaterThanOrEqual(before - 1);
    expect(payload.iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(payload.exp! - payload.iat!).toBeGreaterThan(0);
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(APPLE_MAX_LIFETIME_S);
  });

  it("replaces a stored client secret, and is reused within its lifetime", async () => {
    const { pem } = await p8();
    await put("apple-both", { preset: "apple", client_id: "com.example.both", client_secret: "pre-minted-secret", apple_team_id: TEAM, apple_key_id: KID, apple_private_key: pem });
    const first = await tokenRequestSecret("apple-both");
    expect(first).not.toBe("pre-minted-secret");
    expect(decodeJwt(first!).sub).toBe("com.example.both");
    expect(await tokenRequestSecret("apple-both")).toBe(first);
  });

  it("a PUT without the key fields keeps them; a new key is used at once", async () => {
    const one = await p8();
    await put("apple-keep", { preset: "apple", client_id: "com.example.keep", apple_team_id: TEAM, apple_key_id: KID, apple_private_key: one.pem });
    const kept = await put("apple-keep", { preset: "apple", client_id: "com.example.keep", display_name: "Apple ID" });
    expect(kept.status).toBe(200);
    expect((await json<{ upstream: Record<string, unknown> }>(kept)).upstream).toMatchObject({ appleTeamId: TEAM, appleKeyId: KID, apple_private_key_set: true });
    await jwtVerify((await tokenRequestSecret("apple-keep"))!, one.publicKey);
    const two = await p8();
    await put("apple-keep", { preset: "apple", client_id: "com.example.keep", apple_private_key: two.pem });
    await jwtVerify((await tokenRequestSecret("apple-keep"))!, two.publicKey);
  });

  it("the private key is sealed and never appears in an answer", async () => {
    const { pem } = await p8();
    const body = pem.split("\n").slice(1, -2).join("");
    const created = await (await put("apple-hidden", { preset: "apple", client_id: "com.example.hidden", apple_team_id: TEAM, apple_key_id: KID, apple_private_key: pem })).text();
    const one = await (await admin("GET", "/upstreams/apple-hidden")).text();
    const all = await (await admin("GET", "/upstreams")).text();
    for (const text of [created, one, all]) {
      expect(text).not.toContain(body.slice(0, 40));
      expect(text).not.toContain("PRIVATE KEY");
    }
    expect(JSON.parse(one).upstream).toMatchObject({ apple_private_key_set: true, appleTeamId: TEAM, appleKeyId: KID });
    expect(JSON.parse(one).upstream).not.toHaveProperty("appleSealedKey");
    const stored = await env.DB.prepare("SELECT apple_sealed_key FROM upstream_providers WHERE id = ?").bind("apple-hidden").first<{ apple_sealed_key: string }>();
    expect(stored!.apple_sealed_key).toMatch(/^v1\./);
    expect(stored!.apple_sealed_key).not.toContain(body.slice(0, 40));
  });

  it("refuses a key that is not an ES256 PKCS#8 PEM, or an incomplete set, naming the field, and stores nothing", async () => {
    const p384 = await p8("ES384");
    const rsa = await p8("RS256");
    const { pem } = await p8();
    const apple = { preset: "apple", client_id: "com.example.bad", apple_team_id: TEAM, apple_key_id: KID };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...apple, apple_private_key: "not a key" }, /apple_private_key/],
      [{ ...apple, apple_private_key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" }, /apple_private_key/],
      [{ ...apple, apple_private_key: p384.pem }, /apple_private_key/],
      [{ ...apple, apple_private_key: rsa.pem }, /apple_private_key/],
      [{ ...apple, apple_team_id: "team", apple_private_key: pem }, /apple_team_id/],
      [{ preset: "apple", client_id: "com.example.bad", apple_private_key: pem }, /all three/],
      [{ preset: "google", client_id: "g", apple_team_id: TEAM, apple_key_id: KID, apple_private_key: pem }, /apple preset only/],
    ];
    for (const [body, why] of cases) {
      const res = await put("apple-bad", body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect((await json<{ error_description: string }>(res)).error_description).toMatch(why);
    }
    expect((await admin("GET", "/upstreams/apple-bad")).status).toBe(404);
    expect(await getUpstreamRow(env.DB, "apple-bad")).toBeNull();
  });
});
