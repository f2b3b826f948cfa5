import { LOCALES } from "../../i18n";
import { Hono } from "hono/tiny";
import { DEVICE_CODE, JWT_BEARER, TOKEN_EXCHANGE } from "../../oauth/grant-types";
import { CLAIMS_SUPPORTED, SCOPES_SUPPORTED } from "../../oauth/scopes";
import type { Config } from "../../config";
import { DPOP_ALGS } from "../../oauth/dpop";
import { ACR_SUPPORTED } from "../../oauth/claims-request";
import { RESPONSE_TYPES } from "../../oauth/response-types";
import { SIGNING_ALGS } from "../../oauth/signing-alg";
import { RESPONSE_MODES } from "../authorize/response-mode";
import { ASSERTION_ALGS } from "../../oauth/assertion-algs";
import type { AppEnv } from "../types";
import { CIBA } from "../../oauth/grant-types";
import { DELIVERY_MODES } from "../../oauth/ciba";
import { ENCRYPTION_ALGS, ENCRYPTION_ENCS } from "../../oauth/encryption-alg";

/** JWT client authentication (RFC 7523 §2.2): client_secret_jwt (HS256) only where CLIENT_SECRET_KEY can seal secrets. */
const assertionMethods = (config: Config) => (config.clientSecretKey === null ? ["private_key_jwt"] : ["private_key_jwt", "client_secret_jwt"]);
const assertionAlgs = (config: Config) => (config.clientSecretKey === null ? [...ASSERTION_ALGS] : [...ASSERTION_ALGS, "HS256"]);

/**
 * OpenID Provider metadata (OIDC Discovery 1.0 §3), built from config only: the
 * issuer and every endpoint come from ISSUER, never from the request's Host header.
 */
export function providerMetadata(config: Config): Record<string, unknown> {
  const at = (path: string) => `${config.issuer}${path}`;
  // CIBA Core §4: the grant type is listed only where the endpoint is.
  const ciba = config.ciba.secret === null ? [] : [CIBA];
  return {
    issuer: config.issuer,
    authorization_endpoint: at("/authorize"),
    token_endpoint: at("/token"),
    userinfo_endpoint: at("/userinfo"),
    jwks_uri: at("/jwks.json"),
    // OpenID Connect RP-Initiated Logout 1.0 §2.1.
    end_session_endpoint: at("/logout"),
    device_authorization_endpoint: at("/device_authorization"),
    // OpenID Connect Back-Channel Logout 1.0 §2.1: logout tokens always carry sid when the session is known.
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    // OpenID Connect Front-Channel Logout 1.0 §3: the logout page frames each client's URI, with iss and sid on request.
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: true,
    scopes_supported: SCOPES_SUPPORTED,
    grant_types_supported: ["authorization_code", "refresh_token", "client_credentials", TOKEN_EXCHANGE, DEVICE_CODE, JWT_BEARER, ...ciba],
    subject_types_supported: config.pairwiseSalt === null ? ["public"] : ["public", "pairwise"],
    id_token_signing_alg_values_supported: ["ES256", "RS256"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none", ...assertionMethods(config)],
    // RFC 8414 §2: public clients revoke their own tokens; only confidential clients introspect.
    revocation_endpoint: at("/revoke"),
    revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none", ...assertionMethods(config)],
    introspection_endpoint: at("/introspect"),
    introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", ...assertionMethods(config)],
    code_challenge_methods_supported: ["S256"],
    prompt_values_supported: ["none", "login", "consent", "select_account"],
    claims_supported: CLAIMS_SUPPORTED,
    claims_parameter_supported: true,
    // OIDC Core §5.5.1.1: every sign-in here is a password sign-in, acr "1"; an essential request for another fails.
    acr_values_supported: ACR_SUPPORTED,
    request_parameter_supported: true,
    request_uri_parameter_supported: false,
    // RFC 9207: every authorization response carries iss.
    authorization_response_iss_parameter_supported: true,
    // Branding and languages (OIDC Discovery §3): the languages of the pages; ui_locales picks one (OIDC Core §3.1.2.1).
    ui_locales_supported: [...LOCALES],
    // RFC 9449 §5.1: DPoP proofs are accepted with these algorithms.
    dpop_signing_alg_values_supported: DPOP_ALGS,
    // JWT assertions: private_key_jwt (RFC 7523 §2.2, OIDC Core §9) signed with one of ASSERTION_ALGS.
    token_endpoint_auth_signing_alg_values_supported: assertionAlgs(config),
    revocation_endpoint_auth_signing_alg_values_supported: assertionAlgs(config),
    introspection_endpoint_auth_signing_alg_values_supported: assertionAlgs(config),
    // RFC 9101 §10.5 and OIDC Discovery §3: signed request objects by value; per client, not server-wide.
    request_object_signing_alg_values_supported: ASSERTION_ALGS,
    require_signed_request_object: false,
    // RFC 8414 §2 / OIDC Discovery §3: only while registration is on (REGISTRATION).
    ...(config.registration === "off" ? {} : { registration_endpoint: at("/register") }),
    // PAR (RFC 9126 §5), JARM (§4) and the hybrid flow (OIDC Core §3.3).
    pushed_authorization_request_endpoint: at("/par"),
    require_pushed_authorization_requests: config.requirePar,
    response_types_supported: [...RESPONSE_TYPES],
    response_modes_supported: [...RESPONSE_MODES, "jwt"],
    authorization_signing_alg_values_supported: [...SIGNING_ALGS],
    // OpenID CIBA Core 1.0 §4, while CIBA_SECRET is set. No backchannel_authentication_request_signing_alg_values_supported:
    // signed authentication requests are not supported. No user_code: no user has one to give.
    ...(config.ciba.secret === null
      ? {}
      : {
          backchannel_authentication_endpoint: at("/bc-authorize"),
          backchannel_token_delivery_modes_supported: [...DELIVERY_MODES],
          backchannel_user_code_parameter_supported: false,
        }),
    // OIDC Discovery §3: encrypted ID tokens (OIDC Core §10.2) and signed/encrypted UserInfo (§5.3.2).
    id_token_encryption_alg_values_supported: ENCRYPTION_ALGS,
    id_token_encryption_enc_values_supported: ENCRYPTION_ENCS,
    userinfo_signing_alg_values_supported: SIGNING_ALGS,
    userinfo_encryption_alg_values_supported: ENCRYPTION_ALGS,
    userinfo_encryption_enc_values_supported: ENCRYPTION_ENCS,
  };
}

export const discovery = new Hono<AppEnv>().get("/.well-known/openid-configuration", (c) => {
  c.header("Cache-Control", "public, max-age=300");
  c.header("Access-Control-Allow-Origin", "*");
  return c.json(providerMetadata(c.var.config));
});
