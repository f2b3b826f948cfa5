import { CIBA, DEVICE_CODE, TOKEN_EXCHANGE } from "../../oauth/grant-types";
import { cibaMetadata, type CibaMetadata } from "./ciba-metadata";
import { publicJwksProblem, type PublicJwks } from "../../oauth/jwks";
import { formatScope, parseScope } from "../../oauth/scopes";
import { SIGNING_ALGS, type SigningAlg } from "../../oauth/signing-alg";
import { pairwiseRedirectProblem, SUBJECT_TYPES, type SubjectType } from "../../oauth/pairwise";
import { canonicalResponseType, RESPONSE_TYPES } from "../../oauth/response-types";
import { frontchannelOriginProblem, httpsUriProblem, logoutUriProblem, MAX_URI_LENGTH } from "../clients/uri-rules";
import { AUTH_METHODS, type AuthMethod } from "../clients/auth-methods";
import { redirectUriProblem } from "../endpoints/admin/client-schema";
import { invalidClientMetadata, invalidRedirectUri } from "./errors";
import { assertionMetadata, type AssertionMetadata } from "./assertion-metadata";
import { checkedUri, optionalBoolean, optionalChoice, optionalString, optionalStringArray, type Input } from "./fields";
import { responseProtection } from "./protection";
import type { ProtectionMetadata } from "../clients/response-protection";

/**
 * Client metadata of a registration request (RFC 7591 §2; OIDC Dynamic Client
 * Registration 1.0 §2; Back-Channel Logout §2.2; Front-Channel Logout §2), checked
 * field by field and with the defaults applied. Members this provider does not know
 * are ignored (RFC 7591 §2) and not echoed back, so a client can see what was registered.
 */
export interface ClientMetadata extends ProtectionMetadata, AssertionMetadata {
  redirect_uris: string[];
  token_endpoint_auth_method: AuthMethod;
  grant_types: string[];
  response_types: string[];
  scope: string;
  /** null: the client id stands in for the name. */
  client_name: string | null;
  id_token_signed_response_alg: SigningAlg;
  jwks: PublicJwks | null;
  jwks_uri: string | null;
  post_logout_redirect_uris: string[];
  backchannel_logout_uri: string | null;
  backchannel_logout_session_required: boolean;
  frontchannel_logout_uri: string | null;
  frontchannel_logout_session_required: boolean;
  /** DPoP (RFC 9449 §5.2): /token requires a DPoP proof from this client. */
  dpop_bound_access_tokens: boolean;
  /** OIDC Dynamic Client Registration 1.0 §2 / OIDC Core §8: public (default) or pairwise. */
  subject_type: SubjectType;
  /** RFC 9126 §6 and JARM §3 (its default is RS256, like id_token_signed_response_alg's). */
  require_pushed_authorization_requests: boolean;
  authorization_signed_response_alg: SigningAlg;
  /** CIBA Core §4 (./ciba-metadata.ts). */
  ciba: CibaMetadata;
  /** Shown back, never enforced: client_uri, logo_uri, tos_uri, policy_uri, contacts, software_id, software_version, application_type. */
  descriptive: Record<string, unknown>;
}

const MAX_URIS = 20;

/** The grant types a client may register for itself; token exchange needs an operator's audience policy. */
export const REGISTRABLE_GRANT_TYPES = ["authorization_code", "refresh_token", "client_credentials", DEVICE_CODE, CIBA] as const;

const AUTH_METHOD_HINTS: Record<string, string> = {
  tls_client_auth: "mutual TLS client authentication is not supported; use client_secret_basic or client_secret_post",
  self_signed_tls_client_auth: "mutual TLS client authentication is not supported; use client_secret_basic or client_secret_post",
};

const GRANT_TYPE_HINTS: Record<string, string> = {
  [TOKEN_EXCHANGE]: "token exchange is set up by an operator (it needs an audience policy); register without it",
  implicit: "the implicit grant is not supported (RFC 9700 §2.1.2); use authorization_code with PKCE",
  password: "the password grant is not supported (RFC 9700 §2.4)",
};

/** Settings of the operator API that a client must not give itself. */
const OPERATOR_SETTINGS = ["client_type", "offline_survives_logout", "refresh_grace_s", "token_exchange_audiences"];

function authMethod(input: Input): AuthMethod {
  return optionalChoice(input, "token_endpoint_auth_method", AUTH_METHODS, AUTH_METHOD_HINTS) ?? "client_secret_basic";
}

function grantTypes(input: Input): string[] {
  const grants = optionalStringArray(input, "grant_types", 10, 200) ?? ["authorization_code"];
  if (grants.length === 0) throw invalidClientMetadata("grant_types", "must name at least one grant type");
  for (const grant of grants) {
    if (!(REGISTRABLE_GRANT_TYPES as readonly string[]).includes(grant)) {
      throw invalidClientMetadata("grant_types", GRANT_TYPE_HINTS[grant] ?? `${JSON.stringify(grant)} is not supported (supported: ${REGISTRABLE_GRANT_TYPES.join(", ")})`);
    }
  }
  return grants;
}

/** The code flow and the hybrid flow (OIDC Core §3.1, §3.3), each in its canonical spelling; no implicit-only type. */
function responseTypes(input: Input, grants: readonly string[]): string[] {
  const types = optionalStringArray(input, "response_types", 10, 200) ?? (grants.includes("authorization_code") ? ["code"] : []);
  return [
    ...new Set(
      types.map((t) => {
        const canonical = canonicalResponseType(t);
        if (canonical === null) throw invalidClientMetadata("response_types", `${JSON.stringify(t)} is not supported (supported: ${RESPONSE_TYPES.join(", ")})`);
        return canonical;
      }),
    ),
  ];
}

/** RFC 7591 §2.1: grant_types and response_types must agree; a few grants need a particular kind of client. */
function checkGrantConsistency(grants: readonly string[], responses: readonly string[], method: AuthMethod): void {
  const code = grants.includes("authorization_code");
  if (code && responses.length === 0) throw invalidClientMetadata("response_types", "must include code when grant_types has authorization_code (RFC 7591 §2.1)");
  if (!code && responses.length > 0) throw invalidClientMetadata("grant_types", "must include authorization_code when response_types has code (RFC 7591 §2.1)");
  if (!code && !grants.includes(DEVICE_CODE) && !grants.includes(CIBA) && grants.includes("refresh_token")) {
    throw invalidClientMetadata("grant_types", "refresh_token needs authorization_code or the device_code grant: only their redemptions issue refresh tokens here");
  }
  if (method === "none" && grants.includes("client_credentials")) {
    throw invalidClientMetadata("grant_types", "client_credentials needs a confidential client (token_endpoint_auth_method client_secret_basic or client_secret_post)");
  }
}

/** RFC 7591 §2: required for redirect-based grants; each checked as the operator API checks them. */
function redirectUris(input: Input, grants: readonly string[]): string[] {
  const uris = optionalStringArray(input, "redirect_uris", MAX_URIS, MAX_URI_LENGTH) ?? [];
  uris.forEach((uri, i) => checkedUri(`redirect_uris[${i}]`, uri, redirectUriProblem, invalidRedirectUri));
  if (uris.length === 0 && grants.includes("authorization_code")) {
    throw invalidRedirectUri("redirect_uris", "at least one is required for the authorization_code grant (RFC 7591 §2)");
  }
  return uris;
}

function scope(input: Input): string {
  const raw = optionalString(input, "scope", 1000) ?? "openid";
  const parsed = parseScope(raw);
  if (parsed === null) throw invalidClientMetadata("scope", "must be space-separated scope tokens (RFC 6749 §3.3)");
  return formatScope(parsed);
}

function clientName(input: Input): string | null {
  const name = optionalString(input, "client_name", 200)?.trim();
  if (name === "") throw invalidClientMetadata("client_name", "must not be empty");
  return name ?? null;
}

/** RFC 7591 §2: keys by value or by reference, never both; public keys only. */
function keys(input: Input): { jwks: PublicJwks | null; jwks_uri: string | null } {
  const jwks = input.jwks ?? null;
  const problem = jwks === null ? null : publicJwksProblem(jwks);
  if (problem) throw invalidClientMetadata("jwks", problem);
  const uri = optionalString(input, "jwks_uri", MAX_URI_LENGTH);
  if (uri !== undefined) checkedUri("jwks_uri", uri, httpsUriProblem);
  if (jwks !== null && uri !== undefined) throw invalidClientMetadata("jwks_uri", "register jwks or jwks_uri, not both (RFC 7591 §2)");
  return { jwks: jwks as PublicJwks | null, jwks_uri: uri ?? null };
}

/** OIDC Back-Channel Logout 1.0 §2.2 and Front-Channel Logout 1.0 §2. */
function logout(input: Input, redirects: readonly string[]) {
  const backchannel = optionalString(input, "backchannel_logout_uri", MAX_URI_LENGTH);
  if (backchannel !== undefined) checkedUri("backchannel_logout_uri", backchannel, logoutUriProblem);
  const frontchannel = optionalString(input, "frontchannel_logout_uri", MAX_URI_LENGTH);
  if (frontchannel !== undefined) {
    checkedUri("frontchannel_logout_uri", frontchannel, logoutUriProblem);
    checkedUri("frontchannel_logout_uri", frontchannel, (uri) => frontchannelOriginProblem(uri, redirects));
  }
  const postLogout = optionalStringArray(input, "post_logout_redirect_uris", MAX_URIS, MAX_URI_LENGTH) ?? [];
  postLogout.forEach((uri, i) => checkedUri(`post_logout_redirect_uris[${i}]`, uri, redirectUriProblem));
  return {
    post_logout_redirect_uris: postLogout,
    backchannel_logout_uri: backchannel ?? null,
    backchannel_logout_session_required: optionalBoolean(input, "backchannel_logout_session_required") ?? false,
    frontchannel_logout_uri: frontchannel ?? null,
    frontchannel_logout_session_required: optionalBoolean(input, "frontchannel_logout_session_required") ?? false,
  };
}

/**
 * OIDC DCR §2 subject_type. The sector of a pairwise client is the one host of its
 * redirect URIs (OIDC Core §8.1). sector_identifier_uri would have the provider fetch
 * the client's list of redirect URIs from the network at registration; it is not
 * supported and is refused rather than ignored, since ignoring it would give the
 * client a different sector (and different subs) than it asked for.
 */
function subject(input: Input, redirects: readonly string[]): { subject_type: SubjectType } {
  if (input.sector_identifier_uri !== undefined) {
    throw invalidClientMetadata("sector_identifier_uri", "is not supported: register redirect_uris that share one host, which is then the sector (OpenID Connect Core §8.1)");
  }
  const type = optionalChoice(input, "subject_type", SUBJECT_TYPES) ?? "public";
  const problem = type === "pairwise" ? pairwiseRedirectProblem(redirects) : null;
  if (problem) throw invalidClientMetadata("subject_type", problem);
  return { subject_type: type };
}

/** Human-facing metadata (RFC 7591 §2, OIDC DCR §2): kept and shown back; the URLs must be https. */
function descriptive(input: Input): Record<string, unknown> {
  const out: Record<string, unknown> = { application_type: optionalChoice(input, "application_type", ["web", "native"] as const) ?? "web" };
  for (const field of ["client_uri", "logo_uri", "tos_uri", "policy_uri"]) {
    const uri = optionalString(input, field, MAX_URI_LENGTH);
    if (uri !== undefined) out[field] = checkedUri(field, uri, httpsUriProblem);
  }
  const contacts = optionalStringArray(input, "contacts", 10, 320);
  if (contacts !== undefined) out.contacts = contacts;
  for (const field of ["software_id", "software_version"]) {
    const value = optionalString(input, field, 200);
    if (value !== undefined) out[field] = value;
  }
  return out;
}

/** The checked metadata of a registration request (or of an RFC 7592 update, which replaces it all). */
export function parseClientMetadata(input: Input): ClientMetadata {
  const operatorSetting = OPERATOR_SETTINGS.find((field) => input[field] !== undefined);
  if (operatorSetting !== undefined) throw invalidClientMetadata(operatorSetting, "is an operator setting and cannot be registered dynamically");
  const method = authMethod(input);
  const grants = grantTypes(input);
  const responses = responseTypes(input, grants);
  checkGrantConsistency(grants, responses, method);
  const redirects = redirectUris(input, grants);
  const clientKeys = keys(input);
  return {
    redirect_uris: redirects,
    token_endpoint_auth_method: method,
    grant_types: grants,
    response_types: responses,
    scope: scope(input),
    client_name: clientName(input),
    // OIDC Dynamic Client Registration 1.0 §2: RS256 when the client does not say.
    id_token_signed_response_alg: optionalChoice(input, "id_token_signed_response_alg", SIGNING_ALGS) ?? "RS256",
    ...clientKeys,
    ...responseProtection(input),
    ...assertionMetadata(input, method, clientKeys.jwks !== null || clientKeys.jwks_uri !== null),
    ...logout(input, redirects),
    // DPoP (RFC 9449 §5.2).
    dpop_bound_access_tokens: optionalBoolean(input, "dpop_bound_access_tokens") ?? false,
    ...subject(input, redirects),
    // RFC 9126 §6 and JARM §3.
    require_pushed_authorization_requests: optionalBoolean(input, "require_pushed_authorization_requests") ?? false,
    authorization_signed_response_alg: optionalChoice(input, "authorization_signed_response_alg", SIGNING_ALGS) ?? "RS256",
    ciba: cibaMetadata(input, grants, method),
    descriptive: descriptive(input),
  };
}
