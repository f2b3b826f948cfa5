import { compactDecrypt, createLocalJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWK, type JWTPayload } from "jose";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { call, json, ORIGIN } from "../helpers/http";
import { registerClient } from "../helpers/oidc";

/** A relying party's encryption key pair: the public half is registered, the private half decrypts. */
export interface RpKey {
  alg: string;
  kid: string;
  publicJwk: JWK;
  privateKey: CryptoKey;
}

export async function rpKey(alg: "RSA-OAEP-256" | "ECDH-ES" | "ECDH-ES+A128KW" | "ECDH-ES+A256KW", extra: Partial<JWK> = {}): Promise<RpKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, alg === "RSA-OAEP-256" ? { modulusLength: 2048 } : { crv: "P-256" });
  const kid = `rp-enc-${crypto.randomUUID().slice(0, 8)}`;
  return { alg, kid, publicJwk: { ...(await exportJWK(publicKey)), kid, use: "enc", ...extra }, privateKey };
}

/** A confidential client with `metadata`; its secret's Basic header for /token. */
export async function encryptingClient(metadata: Record<string, unknown>): Promise<{ clientId: string; auth: Record<string, string> }> {
  const { clientId, secret } = await registerClient("confidential", metadata);
  return { clientId, auth: basic(clientId, secret!) };
}

export type TokenBody = { access_token: string; id_token: string; refresh_token?: string };

/** Signs a user in for `client` and redeems the code: the token response as the client gets it. */
export async function codeTokens(client: { clientId: string; auth: Record<string, string> }): Promise<TokenBody & { nonce: string }> {
  const issued = await issueCode(client.clientId);
  const res = await tokenRequest(redeemFields(issued), client.auth);
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return { ...(await json<TokenBody>(res)), nonce: issued.nonce };
}

/** What the client does with a JWE: decrypt with its private key, restricted to the registered algorithms. */
export async function decrypt(jwe: string, key: RpKey, enc: string): Promise<{ plaintext: string; header: Record<string, unknown> }> {
  const { plaintext, protectedHeader } = await compactDecrypt(jwe, key.privateKey, { keyManagementAlgorithms: [key.alg], contentEncryptionAlgorithms: [enc] });
  return { plaintext: new TextDecoder().decode(plaintext), header: protectedHeader as Record<string, unknown> };
}

/** Verifies a JWS against the provider's published JWKS (/jwks.json), as a client would. */
export async function verifyWithProviderJwks(jws: string, options: { audience?: string } = {}): Promise<JWTPayload> {
  const jwks = await json<{ keys: JWK[] }>(await call("/jwks.json"));
  const { payload } = await jwtVerify(jws, createLocalJWKSet(jwks), { issuer: ORIGIN, ...options });
  return payload;
}

export const partsOf = (token: string) => token.split(".").length;
export const headerOf = (token: string) => decodeProtectedHeader(token) as Record<string, unknown>;
