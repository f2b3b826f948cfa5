// The ceiling: a worker doing only the essential work of authshard's three hot requests,
// with the same runtime, tools and storage kind, so `npm run load:compare` can say how
// close authshard comes to the least this platform allows:
//
// - POST /token refresh_token: form parse, SHA-256 of the presented and the new token,
//   one Durable Object RPC running one SQLite transaction (look up, retire, insert),
//   one ES256 signature (the access token).
// - POST /token authorization_code: the same, the transaction redeeming the code and
//   inserting the grant and refresh token, and two signatures (access and ID token).
// - GET /userinfo: ES256 verification of the bearer token, one RPC reading grant and user.
//
// No client authentication, fencing, audit, lifetimes or error handling beyond a 400:
// this is the floor to measure against, not a provider. POST /seed creates benchmark state.
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK } from "jose";
import { CeilingStore } from "./store.ts";

export { CeilingStore };

interface Env {
  STORE: DurableObjectNamespace<CeilingStore>;
}

const SHARDS = 4;
const ISSUER = "http://ceiling.invalid";
const utf8 = new TextEncoder();

let keys: Promise<{ privateKey: CryptoKey; publicKey: CryptoKey }> | null = null;
const signingKeys = () =>
  (keys ??= generateKeyPair("ES256", { extractable: true }).then(async (pair) => {
    // Verification uses an imported public JWK, as a provider reading its JWKS would.
    const jwk: JWK = await exportJWK(pair.publicKey);
    return { privateKey: pair.privateKey, publicKey: (await importJWK(jwk, "ES256")) as CryptoKey };
  }));

async function sha256(value: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(value)));
  return btoa(String.fromCharCode(...digest)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function random(bytes = 32): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes)))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Artifacts carry their shard, as authshard's carry their bucket: `<shard>.<secret>`. */
const shardOf = (artifact: string) => Number(artifact.slice(0, artifact.indexOf(".")));
const store = (env: Env, shard: number) => env.STORE.get(env.STORE.idFromName(`s${shard}`));

async function sign(claims: Record<string, unknown>, typ: string): Promise<string> {
  const { privateKey } = await signingKeys();
  return new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "k", typ }).sign(privateKey);
}

async function accessToken(sub: string, grant: string, scope: string, now: number): Promise<string> {
  return sign({ iss: ISSUER, sub, aud: ISSUER, client_id: "bench", scope, iat: now, exp: now + 3600, jti: random(16), gid: grant }, "at+jwt");
}

async function token(request: Request, env: Env): Promise<Response> {
  const form = new URLSearchParams(await request.text());
  const now = Math.floor(Date.now() / 1000);
  if (form.get("grant_type") === "refresh_token") {
    const presented = form.get("refresh_token") ?? "";
    const shard = shardOf(presented);
    const successor = `${shard}.${random()}`;
    const rotated = await store(env, shard).rotate(await sha256(presented), await sha256(successor));
    if (!rotated) return Response.json({ error: "invalid_grant" }, { status: 400 });
    const access = await accessToken(rotated.sub, rotated.grant, rotated.scope, now);
    return Response.json({ access_token: access, token_type: "Bearer", expires_in: 3600, refresh_token: successor, scope: rotated.scope });
  }
  if (form.get("grant_type") === "authorization_code") {
    const code = form.get("code") ?? "";
    const shard = shardOf(code);
    const grant = random(16);
    const refresh = `${shard}.${random()}`;
    const redeemed = await store(env, shard).redeem(await sha256(code), grant, await sha256(refresh));
    if (!redeemed) return Response.json({ error: "invalid_grant" }, { status: 400 });
    const access = await accessToken(redeemed.sub, grant, redeemed.scope, now);
    const id = await sign({ iss: ISSUER, sub: redeemed.sub, aud: "bench", iat: now, exp: now + 3600, auth_time: now }, "JWT");
    return Response.json({ access_token: access, token_type: "Bearer", expires_in: 3600, refresh_token: refresh, id_token: id, scope: redeemed.scope });
  }
  return Response.json({ error: "unsupported_grant_type" }, { status: 400 });
}

async function userinfo(request: Request, env: Env): Promise<Response> {
  const bearer = (request.headers.get("Authorization") ?? "").replace(/^Bearer /, "");
  try {
    const { payload } = await jwtVerify(bearer, (await signingKeys()).publicKey, { issuer: ISSUER, audience: ISSUER, typ: "at+jwt" });
    const grant = String(payload.gid);
    const info = await store(env, shardOfUser(String(payload.sub))).userinfo(grant);
    return info ? Response.json(info) : Response.json({ error: "invalid_token" }, { status: 401 });
  } catch {
    return Response.json({ error: "invalid_token" }, { status: 401 });
  }
}

/** A user's shard is in its id: `u<shard>-<n>`. */
const shardOfUser = (sub: string) => Number(sub.slice(1, sub.indexOf("-")));

/** Benchmark state: `users` users, each with a refresh token, `codes` codes and an access token. */
async function seed(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const users = Math.min(Number(url.searchParams.get("users") ?? "100"), 5_000);
  const codes = Math.min(Number(url.searchParams.get("codes") ?? "0"), 200);
  const now = Math.floor(Date.now() / 1000);
  const out: Array<{ refresh_token: string; access_token: string; codes: string[] }> = [];
  const perShard = new Map<number, Array<{ user: string; grant: string; refreshHash: string; codeHashes: string[] }>>();
  for (let i = 0; i < users; i++) {
    const shard = i % SHARDS;
    const user = `u${shard}-${random(9)}`;
    const grant = random(16);
    const refresh = `${shard}.${random()}`;
    const userCodes = Array.from({ length: codes }, () => `${shard}.${random()}`);
    const rows = perShard.get(shard) ?? [];
    rows.push({ user, grant, refreshHash: await sha256(refresh), codeHashes: await Promise.all(userCodes.map(sha256)) });
    perShard.set(shard, rows);
    out.push({ refresh_token: refresh, access_token: await accessToken(user, grant, "openid profile email offline_access", now), codes: userCodes });
  }
  for (const [shard, rows] of perShard) await store(env, shard).seed(rows);
  return Response.json(out);
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/token" && request.method === "POST") return token(request, env);
    if (path === "/userinfo") return userinfo(request, env);
    if (path === "/seed" && request.method === "POST") return seed(request, env);
    if (path === "/healthz") return new Response("ok");
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;
