import type { CompactJWEHeaderParameters } from "jose";
import type { Env } from "../../env";
import type { Encryption } from "../../oauth/encryption-alg";
import { encryptionKeyFor } from "../clients/encryption-key";
import type { RegisteredClient } from "../clients/registry";

const encoder = new TextEncoder();

/**
 * A compact JWE (RFC 7516 §7.1) of `plaintext` to the client's public key, with the
 * key's `kid` in the header so a client with several keys knows which to use.
 * `cty: "JWT"` marks a nested JWT (RFC 7519 §5.2), as OIDC Core §10.2 asks.
 */
export async function encryptFor(env: Env, client: RegisteredClient, encryption: Encryption, plaintext: string, cty?: "JWT"): Promise<string> {
  const { key, kid } = await encryptionKeyFor(env, client, encryption.alg);
  const header: CompactJWEHeaderParameters = { alg: encryption.alg, enc: encryption.enc };
  if (kid !== undefined) header.kid = kid;
  if (cty !== undefined) header.cty = cty;
  // JWE loads with the first client that registered encrypted responses (../lazy.ts).
  const { CompactEncrypt } = await import("jose/jwe/compact/encrypt");
  return new CompactEncrypt(encoder.encode(plaintext)).setProtectedHeader(header).encrypt(key);
}

/**
 * An ID token as the client receives it (OIDC Core §10.2): the signed token as it is
 * for a client that registered no id_token_encrypted_response_alg (the same bytes),
 * else signed then encrypted. Every place that hands out an ID token goes through here.
 */
export async function sealIdToken(env: Env, client: RegisteredClient, signed: string): Promise<string> {
  const encryption = client.idTokenEncryption;
  return encryption === null ? signed : encryptFor(env, client, encryption, signed, "JWT");
}
