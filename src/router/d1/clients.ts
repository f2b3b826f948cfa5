import { noteD1 } from "../observability/trace";
import type { clients } from "../../../schema/d1/tables";
import { inD1 } from "./unavailable";

// Branding is optional here: only d1/client-branding.ts writes it, so rows made elsewhere need not name it.
export type ClientRow = Omit<typeof clients.$inferSelect, "branding"> & { branding?: Record<string, unknown> | null };
export type ClientType = "confidential" | "public";

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

export const REGISTRY = "the client registry";

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
