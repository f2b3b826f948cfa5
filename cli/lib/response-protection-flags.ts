// `clients create` flags for encrypted ID tokens and signed/encrypted UserInfo
// (OIDC Core §5.3.2, §10.2; OIDC Registration §2 names). The keys they encrypt to: --jwks / --jwks-uri (client-key-flags.ts).
import { UsageError, type Options } from "./args.ts";

export const PROTECTION_OPTIONS = {
  "id-token-encryption-alg": { type: "string", placeholder: "ALG", description: "Encrypt ID tokens: RSA-OAEP-256, ECDH-ES, ECDH-ES+A128KW or ECDH-ES+A256KW." },
  "id-token-encryption-enc": { type: "string", placeholder: "ENC", description: "A128CBC-HS256 (default with an alg) or A256GCM." },
  "userinfo-signing-alg": { type: "string", placeholder: "ALG", description: "UserInfo as a JWT signed with ES256 or RS256." },
  "userinfo-encryption-alg": { type: "string", placeholder: "ALG", description: "Encrypt UserInfo (same algs as ID tokens)." },
  "userinfo-encryption-enc": { type: "string", placeholder: "ENC", description: "A128CBC-HS256 (default with an alg) or A256GCM." },
} as const satisfies Options;

type Values = { [K in keyof typeof PROTECTION_OPTIONS]?: string | undefined };

const FIELDS: Array<[keyof Values, string]> = [
  ["id-token-encryption-alg", "id_token_encrypted_response_alg"],
  ["id-token-encryption-enc", "id_token_encrypted_response_enc"],
  ["userinfo-signing-alg", "userinfo_signed_response_alg"],
  ["userinfo-encryption-alg", "userinfo_encrypted_response_alg"],
  ["userinfo-encryption-enc", "userinfo_encrypted_response_enc"],
];

/** The operator API members these flags set; only the flags given. */
export function protectionBody(v: Values): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [flag, member] of FIELDS) if (v[flag] !== undefined) body[member] = v[flag];
  if (v["id-token-encryption-enc"] !== undefined && v["id-token-encryption-alg"] === undefined) {
    throw new UsageError("--id-token-encryption-enc needs --id-token-encryption-alg");
  }
  if (v["userinfo-encryption-enc"] !== undefined && v["userinfo-encryption-alg"] === undefined) {
    throw new UsageError("--userinfo-encryption-enc needs --userinfo-encryption-alg");
  }
  return body;
}
