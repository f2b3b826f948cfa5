import type { Config } from "../../config";
import type { RegisteredClient } from "../clients/registry";

/**
 * The admin console signs operators in as a first-party client of this provider: the
 * ordinary /authorize code flow with PKCE, so every sign-in method and the second factor
 * apply. It is built in (defined here, from the issuer), never stored in D1: it cannot be
 * deleted or edited through the operator API, and costs no registry read.
 */
export const CONSOLE_CLIENT_ID = "authshard-console";

export function consoleRedirectUri(config: Config): string {
  return `${config.issuer}/admin/console/callback`;
}

const built = new WeakMap<Config, RegisteredClient>();

export function consoleClient(config: Config): RegisteredClient {
  let client = built.get(config);
  if (client) return client;
  client = Object.freeze({
    clientId: CONSOLE_CLIENT_ID,
    clientName: "authshard admin console",
    clientType: "public",
    redirectUris: Object.freeze([consoleRedirectUri(config)]),
    postLogoutRedirectUris: Object.freeze([`${config.issuer}/admin`]),
    grantTypes: new Set(["authorization_code"]),
    scopes: new Set(["openid", "email"]),
    tokenEndpointAuthMethod: "none",
    idTokenSignedResponseAlg: "ES256",
    secretHash: null,
    offlineSurvivesLogout: false,
    refreshGraceS: null,
    tokenExchangeAudiences: Object.freeze([]),
    backchannelLogoutUri: null,
    backchannelLogoutSessionRequired: false,
    frontchannelLogoutUri: null,
    frontchannelLogoutSessionRequired: false,
    dpopBoundAccessTokens: false,
    subjectType: "public",
    sectorIdentifier: null,
    requirePushedAuthorizationRequests: false,
    authorizationSignedResponseAlg: "ES256",
    responseTypes: new Set(["code"]),
    backchannelTokenDeliveryMode: null,
    backchannelClientNotificationEndpoint: null,
    backchannelUserCodeParameter: false,
    jwks: null,
    jwksUri: null,
    idTokenEncryption: null,
    userinfoSignedResponseAlg: null,
    userinfoEncryption: null,
    tokenEndpointAuthSigningAlg: null,
    requestObjectSigningAlg: null,
    requireSignedRequestObject: false,
    securityProfile: null,
    mfaRequired: config.console.mfa === "required",
    branding: null,
    links: { clientUri: null, policyUri: null, tosUri: null },
  } satisfies RegisteredClient);
  built.set(config, client);
  return client;
}
