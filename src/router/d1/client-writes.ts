import { noteD1 } from "../observability/trace";
import { COLUMNS, REGISTRY, rowOf, type ClientRow, type StoredClient } from "./clients";
import { inD1 } from "./unavailable";

// Writes to the client registry (the operator API and dynamic registration); reads are ./clients.ts, on the token path.

/**
 * The writable columns after client_id, in COLUMNS order (secret_hash is written on its
 * own terms; the registration columns only by dynamic registration, d1/dynamic-clients.ts).
 */
export const SETTINGS = [
  "client_name",
  "client_type",
  "redirect_uris",
  "post_logout_redirect_uris",
  "grant_types",
  "scope",
  "token_endpoint_auth_method",
  "id_token_signed_response_alg",
  "offline_survives_logout",
  "refresh_grace_s",
  "token_exchange_audiences",
  "backchannel_logout_uri",
  "backchannel_logout_session_required",
  "frontchannel_logout_uri",
  "frontchannel_logout_session_required",
  "jwks",
  "jwks_uri",
  "subject_type",
  "require_pushed_authorization_requests",
  "authorization_signed_response_alg",
  "response_types",
  // JWT assertions (RFC 7523, RFC 9101)
  "token_endpoint_auth_signing_alg",
  "request_object_signing_alg",
  "require_signed_request_object",
  // FAPI 2.0 Security Profile
  "security_profile",
  "updated_at",
  // DPoP (RFC 9449 §5.2)
  "dpop_bound_access_tokens",
  // CIBA
  "backchannel_token_delivery_mode",
  "backchannel_client_notification_endpoint",
  "backchannel_user_code_parameter",
  // Encrypted ID tokens and signed/encrypted UserInfo.
  "id_token_encrypted_response_alg",
  "id_token_encrypted_response_enc",
  "userinfo_signed_response_alg",
  "userinfo_encrypted_response_alg",
  "userinfo_encrypted_response_enc",
  // Two-factor sign-in
  "mfa_required",
] as const;

/** What the operator API and dynamic registration write; the registration columns are dynamic registration's alone. */
export type ClientSettings = Omit<ClientRow, "clientId" | "secretHash" | "createdAt" | "metadata" | "registrationTokenHash" | "initialTokenId" | "registrationPolicy" | "branding">;

/** SETTINGS' values of `row`, as stored. */
export function settingsOf(row: ClientSettings): (string | number | null)[] {
  return [
    row.clientName,
    row.clientType,
    JSON.stringify(row.redirectUris),
    JSON.stringify(row.postLogoutRedirectUris),
    JSON.stringify(row.grantTypes),
    row.scope,
    row.tokenEndpointAuthMethod,
    row.idTokenSignedResponseAlg,
    row.offlineSurvivesLogout ? 1 : 0,
    row.refreshGraceS,
    JSON.stringify(row.tokenExchangeAudiences),
    row.backchannelLogoutUri,
    row.backchannelLogoutSessionRequired ? 1 : 0,
    row.frontchannelLogoutUri,
    row.frontchannelLogoutSessionRequired ? 1 : 0,
    row.jwks === null ? null : JSON.stringify(row.jwks),
    row.jwksUri,
    row.subjectType,
    row.requirePushedAuthorizationRequests ? 1 : 0,
    row.authorizationSignedResponseAlg,
    JSON.stringify(row.responseTypes),
    row.tokenEndpointAuthSigningAlg,
    row.requestObjectSigningAlg,
    row.requireSignedRequestObject ? 1 : 0,
    row.securityProfile,
    row.updatedAt,
    row.dpopBoundAccessTokens ? 1 : 0,
    row.backchannelTokenDeliveryMode,
    row.backchannelClientNotificationEndpoint,
    row.backchannelUserCodeParameter ? 1 : 0,
    row.idTokenEncryptedResponseAlg,
    row.idTokenEncryptedResponseEnc,
    row.userinfoSignedResponseAlg,
    row.userinfoEncryptedResponseAlg,
    row.userinfoEncryptedResponseEnc,
    row.mfaRequired ? 1 : 0,
  ];
}

/** Creates the client unless one with its id exists; true when this call created it. */
export async function insertClientRowIfAbsent(d1: D1Database, row: ClientRow): Promise<boolean> {
  noteD1();
  const { results } = await inD1(REGISTRY, () =>
    d1
      .prepare(`INSERT INTO clients (client_id, secret_hash, created_at, ${SETTINGS.join(", ")}) VALUES (?, ?, ?, ${SETTINGS.map(() => "?").join(", ")}) ON CONFLICT DO NOTHING RETURNING client_id`)
      .bind(row.clientId, row.secretHash, row.createdAt, ...settingsOf(row))
      .all(),
  );
  return results.length === 1;
}

export type SecretChange = { keep: string } | { set: string } | { clear: true };

/**
 * Rewrites an existing client's settings. The secret: `keep` stores the given hash only
 * where the row has none (a concurrent creator's secret wins), `set` replaces it,
 * `clear` removes it (public client).
 */
export async function updateClientRow(
  d1: D1Database,
  row: ClientSettings & { clientId: string },
  secret: SecretChange,
): Promise<ClientRow | null> {
  noteD1();
  const secretSql = "keep" in secret ? "coalesce(secret_hash, ?)" : "?";
  const secretValue = "keep" in secret ? secret.keep : "set" in secret ? secret.set : null;
  const stored = await inD1(REGISTRY, () =>
    d1
      .prepare(`UPDATE clients SET ${SETTINGS.map((c) => `${c} = ?`).join(", ")}, secret_hash = ${secretSql} WHERE client_id = ? RETURNING ${COLUMNS}`)
      .bind(...settingsOf(row), secretValue, row.clientId)
      .first<StoredClient>(),
  );
  return stored ? rowOf(stored) : null;
}

export async function setClientSecretHash(d1: D1Database, clientId: string, secretHash: string): Promise<boolean> {
  noteD1();
  const { results } = await inD1(REGISTRY, () =>
    d1
      .prepare("UPDATE clients SET secret_hash = ?, updated_at = ? WHERE client_id = ? AND client_type = 'confidential' RETURNING client_id")
      .bind(secretHash, Date.now(), clientId)
      .all(),
  );
  return results.length === 1;
}

export async function deleteClientRow(d1: D1Database, clientId: string): Promise<boolean> {
  noteD1();
  const { results } = await inD1(REGISTRY, () => d1.prepare("DELETE FROM clients WHERE client_id = ? RETURNING client_id").bind(clientId).all());
  return results.length === 1;
}
