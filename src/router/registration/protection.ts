import { ENCRYPTION_ALGS, ENCRYPTION_ENCS } from "../../oauth/encryption-alg";
import { SIGNING_ALGS } from "../../oauth/signing-alg";
import { protectionKeyProblem, type ProtectionMetadata } from "../clients/response-protection";
import type { ClientMetadata } from "./metadata";
import { invalidClientMetadata } from "./errors";
import { optionalChoice, type Input } from "./fields";

/** Encryption algorithms worth a word of their own when a client asks for them. */
const ENCRYPTION_HINTS: Record<string, string> = {
  RSA1_5: "RSA1_5 is not supported (RFC 8725 §3.2); use RSA-OAEP-256",
  "RSA-OAEP": "RSA-OAEP (SHA-1) is not supported; use RSA-OAEP-256",
  dir: "dir would need a secret shared with the client, and client secrets are stored only as hashes; use RSA-OAEP-256 or ECDH-ES",
};
const SIGNING_HINTS: Record<string, string> = {
  none: "unsigned UserInfo JWTs are not issued; leave userinfo_signed_response_alg out for a JSON response",
};

/**
 * OIDC Dynamic Client Registration 1.0 §2: the encryption and UserInfo signing
 * members, each checked against what the provider supports. Whether the client's
 * keys can receive them is checked once the keys are read (checkProtectionKeys).
 */
export function responseProtection(input: Input): ProtectionMetadata {
  return {
    id_token_encrypted_response_alg: optionalChoice(input, "id_token_encrypted_response_alg", ENCRYPTION_ALGS, ENCRYPTION_HINTS) ?? null,
    id_token_encrypted_response_enc: optionalChoice(input, "id_token_encrypted_response_enc", ENCRYPTION_ENCS) ?? null,
    userinfo_signed_response_alg: optionalChoice(input, "userinfo_signed_response_alg", SIGNING_ALGS, SIGNING_HINTS) ?? null,
    userinfo_encrypted_response_alg: optionalChoice(input, "userinfo_encrypted_response_alg", ENCRYPTION_ALGS, ENCRYPTION_HINTS) ?? null,
    userinfo_encrypted_response_enc: optionalChoice(input, "userinfo_encrypted_response_enc", ENCRYPTION_ENCS) ?? null,
  };
}

/** enc without alg, encryption without a usable (and importable) key: invalid_client_metadata naming the field. */
export async function checkProtectionKeys(metadata: ClientMetadata): Promise<void> {
  const problem = await protectionKeyProblem(metadata, metadata);
  if (problem) throw invalidClientMetadata(problem.field, problem.why);
}
