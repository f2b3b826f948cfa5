import { noteD1 } from "../observability/trace";
import type { clients } from "../../../schema/d1/tables";
import { inD1 } from "./unavailable";

// Branding is optional here: only d1/client-branding.ts writes it, so rows made elsewhere need not name it.
export type ClientRow = Omit<typeof clients.$inferSelect, "branding"> & { branding?: Record<string, unknown> | null };
export type ClientType = "confidential" | "public";

/** A registered client as the operator API shows it (never the secret hash). */
export interface ClientView {
  client_id: string;
  client_name: string;
  client_type: ClientType;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  scope: string;
  token_endpoint_auth_method: string;
  id_token_signed_response_alg: string;
  offline_survives_logout: boolean;
  refresh_grace_s: number | null;
  token_exchange_audiences: string[];
  backchannel_logout_uri: string | null;
  backchannel_logout_session_required: boolean;
  frontchannel_logout_uri: string | null;
  frontchannel_logout_session_required: boolean;
  jwks: { keys: Record<string, unknown>[] } | null;
  jwks_uri: string | null;
  /** OIDC Core §8.1: public (the default) or pairwise (sector = the host of redirect_uris). */
  subject_type: string;
  // PAR (RFC 9126 §6), JARM (§3) and the response types /authorize accepts (OIDC Core §3.3).
  require_pushed_authorization_requests: boolean;
  authorization_signed_response_alg: string;
  response_types: string[];
  // Encrypted ID tokens and signed/encrypted UserInfo (OIDC Registration §2); null = not registered.
  id_token_encrypted_response_alg: string | null;
  id_token_encrypted_response_enc: string | null;
  userinfo_signed_response_alg: string | null;
  userinfo_encrypted_response_alg: string | null;
  userinfo_encrypted_response_enc: string | null;
  // JWT assertions (RFC 7523, RFC 9101): the client's one accepted algorithm (null: any supported).
  token_endpoint_auth_signing_alg: string | null;
  request_object_signing_alg: string | null;
  require_signed_request_object: boolean;
  /** FAPI 2.0 Security Profile ("fapi2"), or null. */
  security_profile: string | null;
  /** Two-factor sign-in: every sign-in to this client needs the second factor. */
  mfa_required: boolean;
  /** Registered through POST /register (RFC 7591); such a client also answers at /register/:id. */
  registered_dynamically: boolean;
  /** The initial access token it registered with; null for open registration and operator clients. */
  initial_access_token_id: string | null;
  /** Descriptive metadata from dynamic registration (client_uri, contacts, software_id, ...). */
  metadata: Record<string, unknown>;
  created_at: number;
  updated_at: number;
  /** DPoP (RFC 9449 §5.2): /token requires a DPoP proof from this client. */
  dpop_bound_access_tokens: boolean;
  // CIBA (OpenID CIBA Core 1.0 §4).
  backchannel_token_delivery_mode: string | null;
  backchannel_client_notification_endpoint: string | null;
  backchannel_user_code_parameter: boolean;
}

export function clientView(row: ClientRow): ClientView {
  return {
    client_id: row.clientId,
    client_name: row.clientName,
    client_type: row.clientType as ClientType,
    redirect_uris: row.redirectUris,
    post_logout_redirect_uris: row.postLogoutRedirectUris,
    grant_types: row.grantTypes,
    scope: row.scope,
    token_endpoint_auth_method: row.tokenEndpointAuthMethod,
    id_token_signed_response_alg: row.idTokenSignedResponseAlg,
    offline_survives_logout: row.offlineSurvivesLogout,
    refresh_grace_s: row.refreshGraceS,
    token_exchange_audiences: row.tokenExchangeAudiences,
    backchannel_logout_uri: row.backchannelLogoutUri,
    backchannel_logout_session_required: row.backchannelLogoutSessionRequired,
    frontchannel_logout_uri: row.frontchannelLogoutUri,
    frontchannel_logout_session_required: row.frontchannelLogoutSessionRequired,
    jwks: row.jwks,
    jwks_uri: row.jwksUri,
    subject_type: row.subjectType,
    require_pushed_authorization_requests: row.requirePushedAuthorizationRequests,
    authorization_signed_response_alg: row.authorizationSignedResponseAlg,
    response_types: row.responseTypes,
    id_token_encrypted_response_alg: row.idTokenEncryptedResponseAlg,
    id_token_encrypted_response_enc: row.idTokenEncryptedResponseEnc,
    userinfo_signed_response_alg: row.userinfoSignedResponseAlg,
    userinfo_encrypted_response_alg: row.userinfoEncryptedResponseAlg,
    userinfo_encrypted_response_enc: row.userinfoEncryptedResponseEnc,
    token_endpoint_auth_signing_alg: row.tokenEndpointAuthSigningAlg,
    request_object_signing_alg: row.requestObjectSigningAlg,
    require_signed_request_object: row.requireSignedRequestObject,
    security_profile: row.securityProfile,
    mfa_required: row.mfaRequired,
    registered_dynamically: row.registrationTokenHash !== null,
    initial_access_token_id: row.initialTokenId,
    metadata: row.metadata,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
    dpop_bound_access_tokens: row.dpopBoundAccessTokens,
    backchannel_token_delivery_mode: row.backchannelTokenDeliveryMode,
    backchannel_client_notification_endpoint: row.backchannelClientNotificationEndpoint,
    backchannel_user_code_parameter: row.backchannelUserCodeParameter,
  };
}

/**
 * Reads and writes of the clients table in plain D1 statements. The table is defined
 * in schema/d1 (drizzle, for its migrations and its row type); the router keeps to
 * prepared statements so the worker bundle does not carry drizzle's D1 driver for ten
 * queries (it kept the bundle over its 150 KiB budget). JSON columns hold arrays as
 * JSON text and booleans are 0/1, exactly as drizzle's `mode: "json"`/`"boolean"` store them.
 * Every statement goes through inD1: D1 down is a 503, not a 500.
 */
export const COLUMNS =
  "client_id, client_name, client_type, secret_hash, redirect_uris, post_logout_redirect_uris, grant_types, scope, " +
  "token_endpoint_auth_method, id_token_signed_response_alg, offline_survives_logout, refresh_grace_s, token_exchange_audiences, " +
  "backchannel_logout_uri, backchannel_logout_session_required, frontchannel_logout_uri, frontchannel_logout_session_required, jwks, jwks_uri, " +
  "require_pushed_authorization_requests, authorization_signed_response_alg, response_types, " +
  "metadata, registration_token_hash, initial_token_id, registration_policy, created_at, updated_at" +
  // DPoP (RFC 9449 §5.2)
  ", dpop_bound_access_tokens" +
  // Pairwise subjects (OIDC Core §8.1).
  ", subject_type" +
  // CIBA
  ", backchannel_token_delivery_mode, backchannel_client_notification_endpoint, backchannel_user_code_parameter" +
  // Encrypted ID tokens and signed/encrypted UserInfo.
  ", id_token_encrypted_response_alg, id_token_encrypted_response_enc, userinfo_signed_response_alg, userinfo_encrypted_response_alg, userinfo_encrypted_response_enc" +
  // JWT assertions (RFC 7523, RFC 9101)
  ", token_endpoint_auth_signing_alg, request_object_signing_alg, require_signed_request_object" +
  // FAPI 2.0 Security Profile
  ", security_profile" +
  // Two-factor sign-in
  ", mfa_required" +
  // Branding (written by d1/client-branding.ts only)
  ", branding";

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

export interface StoredClient {
  client_id: string;
  client_name: string;
  client_type: string;
  secret_hash: string | null;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  grant_types: string;
  scope: string;
  token_endpoint_auth_method: string;
  id_token_signed_response_alg: string;
  offline_survives_logout: number;
  refresh_grace_s: number | null;
  token_exchange_audiences: string;
  backchannel_logout_uri: string | null;
  backchannel_logout_session_required: number;
  frontchannel_logout_uri: string | null;
  frontchannel_logout_session_required: number;
  jwks: string | null;
  jwks_uri: string | null;
  require_pushed_authorization_requests: number;
  authorization_signed_response_alg: string;
  response_types: string;
  token_endpoint_auth_signing_alg: string | null;
  request_object_signing_alg: string | null;
  require_signed_request_object: number;
  security_profile: string | null;
  metadata: string;
  registration_token_hash: string | null;
  initial_token_id: string | null;
  registration_policy: string | null;
  created_at: number;
  updated_at: number;
  dpop_bound_access_tokens: number;
  subject_type: string;
  backchannel_token_delivery_mode: string | null;
  backchannel_client_notification_endpoint: string | null;
  backchannel_user_code_parameter: number;
  id_token_encrypted_response_alg: string | null;
  id_token_encrypted_response_enc: string | null;
  userinfo_signed_response_alg: string | null;
  userinfo_encrypted_response_alg: string | null;
  userinfo_encrypted_response_enc: string | null;
  mfa_required: number;
  branding: string | null;
}

export function rowOf(s: StoredClient): ClientRow {
  return {
    clientId: s.client_id,
    clientName: s.client_name,
    clientType: s.client_type,
    secretHash: s.secret_hash,
    redirectUris: JSON.parse(s.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(s.post_logout_redirect_uris) as string[],
    grantTypes: JSON.parse(s.grant_types) as string[],
    scope: s.scope,
    tokenEndpointAuthMethod: s.token_endpoint_auth_method,
    idTokenSignedResponseAlg: s.id_token_signed_response_alg,
    offlineSurvivesLogout: s.offline_survives_logout === 1,
    refreshGraceS: s.refresh_grace_s,
    tokenExchangeAudiences: JSON.parse(s.token_exchange_audiences) as string[],
    backchannelLogoutUri: s.backchannel_logout_uri,
    backchannelLogoutSessionRequired: s.backchannel_logout_session_required === 1,
    frontchannelLogoutUri: s.frontchannel_logout_uri,
    frontchannelLogoutSessionRequired: s.frontchannel_logout_session_required === 1,
    jwks: s.jwks === null ? null : (JSON.parse(s.jwks) as ClientRow["jwks"]),
    jwksUri: s.jwks_uri,
    requirePushedAuthorizationRequests: s.require_pushed_authorization_requests === 1,
    authorizationSignedResponseAlg: s.authorization_signed_response_alg,
    responseTypes: JSON.parse(s.response_types) as string[],
    tokenEndpointAuthSigningAlg: s.token_endpoint_auth_signing_alg,
    requestObjectSigningAlg: s.request_object_signing_alg,
    requireSignedRequestObject: s.require_signed_request_object === 1,
    securityProfile: s.security_profile,
    metadata: JSON.parse(s.metadata) as Record<string, unknown>,
    registrationTokenHash: s.registration_token_hash,
    initialTokenId: s.initial_token_id,
    registrationPolicy: s.registration_policy === null ? null : (JSON.parse(s.registration_policy) as ClientRow["registrationPolicy"]),
    createdAt: s.created_at,
    updatedAt: s.updated_at,
    dpopBoundAccessTokens: s.dpop_bound_access_tokens === 1,
    subjectType: s.subject_type,
    backchannelTokenDeliveryMode: s.backchannel_token_delivery_mode,
    backchannelClientNotificationEndpoint: s.backchannel_client_notification_endpoint,
    backchannelUserCodeParameter: s.backchannel_user_code_parameter === 1,
    idTokenEncryptedResponseAlg: s.id_token_encrypted_response_alg,
    idTokenEncryptedResponseEnc: s.id_token_encrypted_response_enc,
    userinfoSignedResponseAlg: s.userinfo_signed_response_alg,
    userinfoEncryptedResponseAlg: s.userinfo_encrypted_response_alg,
    userinfoEncryptedResponseEnc: s.userinfo_encrypted_response_enc,
    mfaRequired: s.mfa_required === 1,
    branding: s.branding === null ? null : (JSON.parse(s.branding) as Record<string, unknown>),
  };
}

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

const REGISTRY = "the client registry";

export async function getClientRow(d1: D1Database, clientId: string): Promise<ClientRow | null> {
  noteD1();
  const stored = await inD1(REGISTRY, () => d1.prepare(`SELECT ${COLUMNS} FROM clients WHERE client_id = ?`).bind(clientId).first<StoredClient>());
  return stored ? rowOf(stored) : null;
}

export async function listClientRows(d1: D1Database): Promise<ClientRow[]> {
  noteD1();
  const { results } = await inD1(REGISTRY, () => d1.prepare(`SELECT ${COLUMNS} FROM clients ORDER BY client_id`).all<StoredClient>());
  return results.map(rowOf);
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
