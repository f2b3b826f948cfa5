import type { ClientRow, ClientType } from "./clients";

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
