import { DEFAULT_ENC, encryptionKeysProblem, type EncryptionAlg, type EncryptionEnc } from "../../oauth/encryption-alg";
import type { PublicJwks } from "../../oauth/jwks";
import type { SigningAlg } from "../../oauth/signing-alg";
import type { ClientRow } from "../d1/clients";
import { encryptionKeyImportProblem } from "./encryption-key";

/**
 * The metadata of encrypted ID tokens and signed/encrypted UserInfo responses (OIDC
 * Dynamic Client Registration 1.0 §2), as the operator API and dynamic registration
 * read it; each names its values already checked against the supported lists.
 */
export interface ProtectionMetadata {
  id_token_encrypted_response_alg: EncryptionAlg | null;
  id_token_encrypted_response_enc: EncryptionEnc | null;
  userinfo_signed_response_alg: SigningAlg | null;
  userinfo_encrypted_response_alg: EncryptionAlg | null;
  userinfo_encrypted_response_enc: EncryptionEnc | null;
}

export interface ProtectionProblem {
  field: keyof ProtectionMetadata | "jwks" | "jwks_uri";
  why: string;
}

interface Keys {
  jwks: PublicJwks | null;
  jwks_uri: string | null;
}

const PAIRS = [
  ["id_token_encrypted_response_alg", "id_token_encrypted_response_enc"],
  ["userinfo_encrypted_response_alg", "userinfo_encrypted_response_enc"],
] as const;

/**
 * OIDC Registration §2: an enc needs its alg ("If ..._enc is included, ..._alg MUST
 * also be provided"), and encrypting needs a public key of the client that fits the alg.
 */
export function protectionProblem(meta: ProtectionMetadata, keys: Keys): ProtectionProblem | null {
  for (const [algField, encField] of PAIRS) {
    const alg = meta[algField];
    if (alg === null && meta[encField] !== null) return { field: encField, why: `needs ${algField} (OIDC Registration §2)` };
    const keyProblem = alg === null ? null : encryptionKeysProblem(keys.jwks, keys.jwks_uri, alg);
    if (keyProblem !== null) return { field: algField, why: keyProblem };
  }
  return null;
}

/** The same, plus whether the keys that would be used import at all (async: WebCrypto). */
export async function protectionKeyProblem(meta: ProtectionMetadata, keys: Keys): Promise<ProtectionProblem | null> {
  const first = protectionProblem(meta, keys);
  if (first !== null) return first;
  for (const [algField] of PAIRS) {
    const alg = meta[algField];
    const why = alg === null ? null : await encryptionKeyImportProblem(keys.jwks, keys.jwks_uri, alg);
    if (why !== null) return { field: keys.jwks === null ? "jwks_uri" : "jwks", why };
  }
  return null;
}

/** The clients-table columns, with enc defaulted to A128CBC-HS256 where only the alg is given (OIDC Registration §2). */
export function protectionColumns(
  meta: ProtectionMetadata,
): Pick<ClientRow, "idTokenEncryptedResponseAlg" | "idTokenEncryptedResponseEnc" | "userinfoSignedResponseAlg" | "userinfoEncryptedResponseAlg" | "userinfoEncryptedResponseEnc"> {
  const idAlg = meta.id_token_encrypted_response_alg;
  const userinfoAlg = meta.userinfo_encrypted_response_alg;
  return {
    idTokenEncryptedResponseAlg: idAlg,
    idTokenEncryptedResponseEnc: idAlg === null ? null : (meta.id_token_encrypted_response_enc ?? DEFAULT_ENC),
    userinfoSignedResponseAlg: meta.userinfo_signed_response_alg,
    userinfoEncryptedResponseAlg: userinfoAlg,
    userinfoEncryptedResponseEnc: userinfoAlg === null ? null : (meta.userinfo_encrypted_response_enc ?? DEFAULT_ENC),
  };
}

/** The members a client information response shows (RFC 7591 §3.2.1): the registered ones only. */
export function protectionMembers(row: ClientRow): Record<string, string> {
  const members: Record<string, string | null> = {
    id_token_encrypted_response_alg: row.idTokenEncryptedResponseAlg,
    id_token_encrypted_response_enc: row.idTokenEncryptedResponseEnc,
    userinfo_signed_response_alg: row.userinfoSignedResponseAlg,
    userinfo_encrypted_response_alg: row.userinfoEncryptedResponseAlg,
    userinfo_encrypted_response_enc: row.userinfoEncryptedResponseEnc,
  };
  return Object.fromEntries(Object.entries(members).filter((entry): entry is [string, string] => entry[1] !== null));
}
