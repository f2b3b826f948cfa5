import type { Config } from "../../config";
import type { ClientRow } from "../d1/clients";
import type { ClientSettings } from "../d1/client-writes";
import type { ClientMetadata } from "./metadata";
import { protectionColumns, protectionMembers } from "../clients/response-protection";

/** The clients-table settings of checked metadata. Operator-only settings start at their defaults. */
export function clientSettings(metadata: ClientMetadata, clientId: string, now: number): ClientSettings {
  return {
    clientName: metadata.client_name ?? clientId,
    clientType: metadata.token_endpoint_auth_method === "none" ? "public" : "confidential",
    redirectUris: metadata.redirect_uris,
    postLogoutRedirectUris: metadata.post_logout_redirect_uris,
    grantTypes: metadata.grant_types,
    scope: metadata.scope,
    tokenEndpointAuthMethod: metadata.token_endpoint_auth_method,
    idTokenSignedResponseAlg: metadata.id_token_signed_response_alg,
    offlineSurvivesLogout: false,
    refreshGraceS: null,
    tokenExchangeAudiences: [],
    backchannelLogoutUri: metadata.backchannel_logout_uri,
    backchannelLogoutSessionRequired: metadata.backchannel_logout_session_required,
    frontchannelLogoutUri: metadata.frontchannel_logout_uri,
    frontchannelLogoutSessionRequired: metadata.frontchannel_logout_session_required,
    jwks: metadata.jwks,
    jwksUri: metadata.jwks_uri,
    subjectType: metadata.subject_type,
    requirePushedAuthorizationRequests: metadata.require_pushed_authorization_requests,
    authorizationSignedResponseAlg: metadata.authorization_signed_response_alg,
    responseTypes: metadata.response_types,
    tokenEndpointAuthSigningAlg: metadata.token_endpoint_auth_signing_alg,
    requestObjectSigningAlg: metadata.request_object_signing_alg,
    requireSignedRequestObject: metadata.require_signed_request_object,
    // The FAPI 2.0 profile is the operator's to set (operator API, CLI), not a registration's.
    securityProfile: null,
    updatedAt: now,
    dpopBoundAccessTokens: metadata.dpop_bound_access_tokens,
    backchannelTokenDeliveryMode: metadata.ciba.backchannel_token_delivery_mode,
    backchannelClientNotificationEndpoint: metadata.ciba.backchannel_client_notification_endpoint,
    backchannelUserCodeParameter: metadata.ciba.backchannel_user_code_parameter,
    ...protectionColumns(metadata),
    // Two-factor sign-in is the operator's policy, not RFC 7591 metadata: off for dynamically registered clients.
    mfaRequired: false,
  };
}

/** What the metadata column keeps: the descriptive members, and the software statement to return unmodified. */
export function storedMetadata(metadata: ClientMetadata, statement: string | null): Record<string, unknown> {
  return statement === null ? { ...metadata.descriptive } : { ...metadata.descriptive, software_statement: statement };
}

export function registrationClientUri(config: Config, clientId: string): string {
  return `${config.issuer}/register/${encodeURIComponent(clientId)}`;
}

/**
 * The client information response (RFC 7591 §3.2.1, RFC 7592 §3): every registered
 * member, the client id and when it was issued, the secret only when it was just
 * generated (the provider keeps only its hash), and the registration access token
 * with the client configuration endpoint's URL.
 */
export function clientInformation(row: ClientRow, config: Config, tokens: { clientSecret?: string; registrationAccessToken: string }): Record<string, unknown> {
  const info: Record<string, unknown> = { client_id: row.clientId, client_id_issued_at: Math.floor(row.createdAt / 1000) };
  if (tokens.clientSecret !== undefined) info.client_secret = tokens.clientSecret;
  // §3.2.1: required whenever the client has a secret; 0 = it does not expire.
  if (row.secretHash !== null) info.client_secret_expires_at = 0;
  info.registration_access_token = tokens.registrationAccessToken;
  info.registration_client_uri = registrationClientUri(config, row.clientId);
  Object.assign(info, {
    client_name: row.clientName,
    redirect_uris: row.redirectUris,
    token_endpoint_auth_method: row.tokenEndpointAuthMethod,
    grant_types: row.grantTypes,
    // Registration keeps them consistent with grant_types (RFC 7591 §2.1); an operator's client without the code grant has none.
    response_types: row.grantTypes.includes("authorization_code") ? row.responseTypes : [],
    scope: row.scope,
    id_token_signed_response_alg: row.idTokenSignedResponseAlg,
    post_logout_redirect_uris: row.postLogoutRedirectUris,
    backchannel_logout_session_required: row.backchannelLogoutSessionRequired,
    frontchannel_logout_session_required: row.frontchannelLogoutSessionRequired,
    subject_type: row.subjectType,
    require_pushed_authorization_requests: row.requirePushedAuthorizationRequests,
    authorization_signed_response_alg: row.authorizationSignedResponseAlg,
  });
  if (row.jwks !== null) info.jwks = row.jwks;
  if (row.jwksUri !== null) info.jwks_uri = row.jwksUri;
  if (row.tokenEndpointAuthSigningAlg !== null) info.token_endpoint_auth_signing_alg = row.tokenEndpointAuthSigningAlg;
  if (row.requestObjectSigningAlg !== null) info.request_object_signing_alg = row.requestObjectSigningAlg;
  if (row.requireSignedRequestObject) info.require_signed_request_object = true;
  if (row.backchannelLogoutUri !== null) info.backchannel_logout_uri = row.backchannelLogoutUri;
  if (row.frontchannelLogoutUri !== null) info.frontchannel_logout_uri = row.frontchannelLogoutUri;
  // DPoP (RFC 9449 §5.2).
  info.dpop_bound_access_tokens = row.dpopBoundAccessTokens;
  // CIBA Core §4.
  if (row.backchannelTokenDeliveryMode !== null) {
    info.backchannel_token_delivery_mode = row.backchannelTokenDeliveryMode;
    info.backchannel_user_code_parameter = row.backchannelUserCodeParameter;
  }
  if (row.backchannelClientNotificationEndpoint !== null) info.backchannel_client_notification_endpoint = row.backchannelClientNotificationEndpoint;
  Object.assign(info, protectionMembers(row));
  // The descriptive members follow; they never stand in for one of the members above.
  for (const [member, value] of Object.entries(row.metadata)) if (!(member in info)) info[member] = value;
  return info;
}
