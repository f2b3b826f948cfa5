import { OAuthError } from "../errors";

/**
 * The errors of dynamic registration (RFC 7591 §3.2.2, RFC 7592 §2). Each description
 * starts with the field it is about, so a developer reading the response knows what
 * to change without guessing.
 */
export const invalidClientMetadata = (field: string, why: string) => new OAuthError("invalid_client_metadata", 400, `${field}: ${why}`);

/** RFC 7591 §3.2.2: one or more redirect_uris are invalid. */
export const invalidRedirectUri = (field: string, why: string) => new OAuthError("invalid_redirect_uri", 400, `${field}: ${why}`);

/** RFC 7591 §3.2.2: the statement is malformed, its signature does not verify, or it has expired. */
export const invalidSoftwareStatement = (why: string) => new OAuthError("invalid_software_statement", 400, `software_statement: ${why}`);

/** RFC 7591 §3.2.2: a well-formed statement from an issuer this provider does not trust. */
export const unapprovedSoftwareStatement = (why: string) => new OAuthError("unapproved_software_statement", 400, `software_statement: ${why}`);

/**
 * RFC 6750 §3.1: 401 invalid_token with a Bearer challenge, for a missing, unknown,
 * expired or used-up initial access token and for a registration access token that
 * does not belong to the client named in the path. A request without any token gets
 * the challenge without an error attribute (§3.1: "SHOULD NOT include an error code").
 */
export function invalidToken(description: string, presented: boolean): OAuthError {
  const challenge = presented ? 'Bearer realm="authshard", error="invalid_token"' : 'Bearer realm="authshard"';
  return new OAuthError("invalid_token", 401, description, { headers: { "WWW-Authenticate": challenge } });
}
