import { env } from "cloudflare:workers";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { ORIGIN } from "../helpers/http";
import { registerClient } from "../helpers/oidc";
import { tokenRequest } from "../helpers/codes";

export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
export const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

export interface KeyPair {
  privateKey: CryptoKey;
  publicJwk: JWK;
  kid: string;
  alg: string;
}

export async function keyPair(alg = "ES256"): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = crypto.randomUUID().slice(0, 8);
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" }, kid, alg };
}

/** Serves `keys` as the JWK Set at a fresh https URI (the test's outbound worker answers it). */
export async function serveJwks(key: string, keys: KeyPair[]): Promise<string> {
  await env.RP_RECEIVER.fetch(`http://rp/jwks/${key}`, { method: "PUT", body: JSON.stringify({ keys: keys.map((k) => k.publicJwk) }) });
  return `https://rp.example/jwks/${key}`;
}

export async function jwksHits(key: string): Promise<number> {
  return (await env.RP_RECEIVER.fetch(`http://rp/jwks-hits?key=${key}`)).json();
}

/** A private_key_jwt client with `keys` by value (or by reference with `extra.jwks_uri`). */
export async function keyClient(keys: KeyPair[], extra: Record<string, unknown> = {}): Promise<string> {
  const { clientId } = await registerClient("confidential", {
    token_endpoint_auth_method: "private_key_jwt",
    grant_types: ["client_credentials"],
    scope: "reports:read",
    ...(extra.jwks_uri === undefined ? { jwks: { keys: keys.map((k) => k.publicJwk) } } : {}),
    ...extra,
  });
  return clientId;
}

/** A signed JWT with sane defaults for a client assertion (RFC 7523 §3); `claims` override them. */
export async function signed(key: KeyPair, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iat: now, exp: now + 60, jti: crypto.randomUUID(), ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .sign(key.privateKey);
}

export function clientAssertion(key: KeyPair, clientId: string, claims: Record<string, unknown> = {}): Promise<string> {
  return signed(key, { iss: clientId, sub: clientId, aud: ORIGIN, ...claims });
}

/** client_credentials at /token, authenticated with `assertion`. */
export function tokenWithAssertion(assertion: string, extra: Record<string, string> = {}): Promise<Response> {
  return tokenRequest({ grant_type: "client_credentials", client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion, ...extra });
}
