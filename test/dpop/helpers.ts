import { base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { expect } from "vitest";
import { basic, issueCode, redeemFields, tokenRequest, type IssuedCode } from "../helpers/codes";
import { call, json, ORIGIN } from "../helpers/http";
import { registerClient } from "../helpers/oidc";

export const TOKEN_URL = `${ORIGIN}/token`;
export const USERINFO_URL = `${ORIGIN}/userinfo`;

/** A client's DPoP key: the pair, its public JWK and its RFC 7638 thumbprint. */
export interface ProofKey {
  alg: string;
  pair: CryptoKeyPair;
  jwk: JWK;
  jkt: string;
}

export async function proofKey(alg = "ES256"): Promise<ProofKey> {
  const pair = (await generateKeyPair(alg, { extractable: true })) as CryptoKeyPair;
  const jwk = await exportJWK(pair.publicKey);
  return { alg, pair, jwk, jkt: await calculateJwkThumbprint(jwk, "sha256") };
}

/** RFC 9449 §4.2 ath: base64url(SHA-256(access token)). */
export async function athOf(accessToken: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(accessToken))));
}

export interface ProofClaims {
  htm?: string;
  htu?: string;
  iat?: number;
  jti?: string;
  ath?: string;
  nonce?: string;
}

/** A DPoP proof JWT (RFC 9449 §4.2) as a client makes it; `header` overrides the protected header. */
export async function proof(key: ProofKey, claims: ProofClaims = {}, header: Record<string, unknown> = {}): Promise<string> {
  const payload: Record<string, unknown> = {
    jti: claims.jti ?? crypto.randomUUID(),
    htm: claims.htm ?? "POST",
    htu: claims.htu ?? TOKEN_URL,
    iat: claims.iat ?? Math.floor(Date.now() / 1000),
  };
  if (claims.ath !== undefined) payload.ath = claims.ath;
  if (claims.nonce !== undefined) payload.nonce = claims.nonce;
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, typ: "dpop+jwt", jwk: key.jwk, ...header }).sign(key.pair.privateKey);
}

/** A proof for GET /userinfo with `accessToken`. */
export async function userinfoProof(key: ProofKey, accessToken: string, claims: ProofClaims = {}): Promise<string> {
  return proof(key, { htm: "GET", htu: USERINFO_URL, ath: await athOf(accessToken), ...claims });
}

export function userinfo(accessToken: string, dpopProof: string | null, scheme = "DPoP"): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `${scheme} ${accessToken}` };
  if (dpopProof !== null) headers.DPoP = dpopProof;
  return call("/userinfo", { headers });
}

export interface TokenBody {
  access_token: string;
  token_type: string;
  refresh_token?: string;
  error?: string;
  error_description?: string;
}

/** A signed-in user's client: a code, and how the client authenticates at /token. */
export interface DpopClient {
  clientId: string;
  auth: (fields: Record<string, string>) => [Record<string, string>, Record<string, string>];
}

export async function dpopClient(type: "public" | "confidential", extra: Record<string, unknown> = {}): Promise<DpopClient> {
  const { clientId, secret } = await registerClient(type, extra);
  return {
    clientId,
    auth: (fields) => (type === "public" ? [{ ...fields, client_id: clientId }, {}] : [fields, basic(clientId, secret!)]),
  };
}

/** A token request with `fields`, the client's authentication and, if given, a DPoP proof. */
export function tokenWith(client: DpopClient, fields: Record<string, string>, dpopProof: string | null): Promise<Response> {
  const [body, headers] = client.auth(fields);
  return tokenRequest(body, dpopProof === null ? headers : { ...headers, DPoP: dpopProof });
}

export async function redeem(client: DpopClient, issued: IssuedCode, dpopProof: string | null): Promise<Response> {
  return tokenWith(client, redeemFields(issued), dpopProof);
}

/** A fresh user's code, redeemed with a proof of `key`: the bound tokens. */
export async function boundTokens(client: DpopClient, key: ProofKey): Promise<TokenBody> {
  const res = await redeem(client, await issueCode(client.clientId), await proof(key));
  expect(res.status, await res.clone().text()).toBe(200);
  return json<TokenBody>(res);
}

/** An RFC 6749 §5.2 error answer at /token. */
export async function expectTokenError(res: Response, error: string): Promise<TokenBody> {
  const text = await res.clone().text();
  expect(res.status, text).toBe(400);
  const body = await json<TokenBody>(res);
  expect(body.error, text).toBe(error);
  return body;
}

/** An RFC 9449 §7.1 refusal at a resource: 401 and a DPoP challenge naming the error and the algorithms. */
export async function expectDpopChallenge(res: Response, error: string): Promise<void> {
  const text = await res.clone().text();
  expect(res.status, text).toBe(401);
  const challenge = res.headers.get("WWW-Authenticate") ?? "";
  expect(challenge, text).toMatch(new RegExp(`^DPoP error="${error}"`));
  expect(challenge).toContain('algs="ES256 RS256 PS256 EdDSA"');
}
