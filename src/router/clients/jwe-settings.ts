import { encryptionKeysProblem, isEncryptionAlg, isEncryptionEnc, type Encryption } from "../../oauth/encryption-alg";
import type { PublicJwks } from "../../oauth/jwks";
import { isSigningAlg, type SigningAlg } from "../../oauth/signing-alg";
import type { ClientRow } from "../d1/clients";

/** How a client's ID tokens and UserInfo responses are protected (OIDC Registration §2). */
export interface ResponseProtection {
  /** OIDC Core §10.2: ID tokens are signed, then encrypted with this (null: signed only). */
  idTokenEncryption: Encryption | null;
  /** OIDC Core §5.3.2: UserInfo as a JWT signed with this (null: JSON, or encrypted only)... */
  userinfoSignedResponseAlg: SigningAlg | null;
  /** ...and encrypted with this (null: not encrypted). */
  userinfoEncryption: Encryption | null;
}

/** An alg/enc pair as stored, or "bad" when it cannot be honoured (the whole registration is then ignored). */
function encryptionOf(alg: string | null, enc: string | null, keys: { jwks: PublicJwks | null; jwksUri: string | null }): Encryption | null | "bad" {
  if (alg === null) return enc === null ? null : "bad";
  if (!isEncryptionAlg(alg) || !isEncryptionEnc(enc)) return "bad";
  return encryptionKeysProblem(keys.jwks, keys.jwksUri, alg) === null ? { alg, enc } : "bad";
}

/**
 * The stored settings, or a reason they make no sense (a row edited by hand): the
 * registry then treats the client as not registered rather than send a token in
 * the clear that the client asked to have encrypted.
 */
export function responseProtectionOf(row: ClientRow): ResponseProtection | string {
  const keys = { jwks: row.jwks, jwksUri: row.jwksUri };
  const idToken = encryptionOf(row.idTokenEncryptedResponseAlg, row.idTokenEncryptedResponseEnc, keys);
  const userinfo = encryptionOf(row.userinfoEncryptedResponseAlg, row.userinfoEncryptedResponseEnc, keys);
  const signing = row.userinfoSignedResponseAlg;
  if (idToken === "bad") return "id_token encryption settings unusable";
  if (userinfo === "bad") return "userinfo encryption settings unusable";
  if (signing !== null && !isSigningAlg(signing)) return `userinfo_signed_response_alg ${signing} unknown`;
  return { idTokenEncryption: idToken, userinfoSignedResponseAlg: signing, userinfoEncryption: userinfo };
}
