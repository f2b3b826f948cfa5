import { profileLimits } from "../clients/fapi";
import type { Env } from "../../env";
import { isJwkThumbprint } from "../../oauth/dpop";
import { isS256Challenge } from "../../oauth/pkce";
import { parseScope, SCOPES_SUPPORTED } from "../../oauth/scopes";
import { getClient, type RegisteredClient } from "../clients/registry";
import type { Config } from "../../config";
import { OAuthError } from "../errors";
import type { Params } from "../http/params";
import { asksForMfa } from "../../oauth/acr";
import { acrSatisfiable, parseClaimsParameter, type RequestedClaims } from "../../oauth/claims-request";
import { canonicalResponseType, type ResponseType } from "../../oauth/response-types";
import { defaultResponseMode, jarmOf, responseModeOf, type JarmSigning, type ResponseMode } from "./response-mode";
import { localeOfUiLocales, type Locale } from "../../i18n";

/** A validated authorization request: everything later steps and the code are bound to. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  /** code, or a hybrid type (OIDC Core §3.3), in its canonical spelling. */
  responseType: ResponseType;
  responseMode: ResponseMode;
  /** For the .jwt response modes (JARM): whom the response JWT is for and how it is signed. */
  jarm: JarmSigning | null;
  state: string | null;
  scope: string;
  nonce: string | null;
  codeChallenge: string | null;
  prompt: ReadonlyArray<"none" | "login" | "consent">;
  maxAge: number | null;
  loginHint: string | null;
  /** DPoP (RFC 9449 §10): the thumbprint of the key the code is bound to; absent when not asked for. */
  dpopJkt?: string;
  /** FAPI 2.0 (clients/fapi.ts): the most seconds the code may live; absent: CODE_TTL_S. */
  maxCodeTtlS?: number;
  /** OIDC Core §5.5: user claims asked for by name, per place; null when the parameter was absent. */
  claims: RequestedClaims | null;
  /** Two-factor sign-in: acr_values or an essential acr claim asks for the MFA class only (src/oauth/acr.ts). */
  mfa?: boolean;
  /** OIDC Core §3.1.2.1 ui_locales: the first supported language asked for; every page of the sign-in uses it. */
  uiLocale?: Locale;
}

/** Errors before client and redirect URI are known good: shown to the person, never redirected. */
const unvalidatedRequest = (description: string) => new OAuthError("invalid_request", 400, description);

/** Errors after: sent back to the client's redirect URI (RFC 6749 §4.1.2.1). */
const redirectError = (code: string, description: string) => new OAuthError(code, 400, description, { redirectable: true });

const SUPPORTED_SCOPES = new Set(SCOPES_SUPPORTED);
const PROMPTS = new Set(["none", "login", "consent", "select_account"]);

/** Step 1: the client and its exact redirect URI (RFC 6749 §3.1.2.3, RFC 9700 §4.1.3). */
export async function resolveClient(env: Env, config: Config, params: Params): Promise<{ client: RegisteredClient; redirectUri: string }> {
  const clientId = params.get("client_id");
  if (!clientId) throw unvalidatedRequest("client_id is missing");
  const client = await getClient(env, config, clientId);
  if (!client) throw unvalidatedRequest("unknown client_id");
  const redirectUri = params.get("redirect_uri");
  if (!redirectUri) throw unvalidatedRequest("redirect_uri is missing (OpenID Connect requires it)");
  if (!client.redirectUris.includes(redirectUri)) throw unvalidatedRequest("redirect_uri is not registered for this client");
  return { client, redirectUri };
}

/** OIDC Core §3.1.2.1, §3.3.2.1: the code flow and the hybrid flow, each only for a client registered for it. */
function responseTypeOf(params: Params, client: RegisteredClient): ResponseType {
  const raw = params.get("response_type");
  if (!raw) throw redirectError("invalid_request", "response_type is missing");
  const type = canonicalResponseType(raw);
  if (type === null) throw redirectError("unsupported_response_type", "response_type must be code, code id_token, code token or code id_token token");
  if (!client.responseTypes.has(type)) throw redirectError("unauthorized_client", `this client is not registered for response_type ${type}`);
  return type;
}

function scopeOf(params: Params, client: RegisteredClient): string {
  const raw = params.get("scope");
  if (!raw) throw redirectError("invalid_scope", "scope is missing (openid is required)");
  const scopes = parseScope(raw);
  if (!scopes) throw redirectError("invalid_scope", "scope must be space-separated scope tokens");
  if (!scopes.includes("openid")) throw redirectError("invalid_scope", "the openid scope is required");
  const unknown = scopes.filter((s) => !SUPPORTED_SCOPES.has(s));
  if (unknown.length) throw redirectError("invalid_scope", `unsupported scope: ${unknown.join(" ")}`);
  const refused = scopes.filter((s) => !client.scopes.has(s));
  if (refused.length) throw redirectError("invalid_scope", `scope not allowed for this client: ${refused.join(" ")}`);
  return scopes.join(" ");
}

function promptOf(params: Params): AuthorizationRequest["prompt"] {
  const raw = params.get("prompt");
  if (!raw) return [];
  const values = raw.split(" ");
  if (values.some((v) => !PROMPTS.has(v))) throw redirectError("invalid_request", "prompt must be none, login, consent or select_account");
  // OIDC Core §3.1.2.1: none with any other value is an error.
  if (values.includes("none") && values.length > 1) throw redirectError("invalid_request", "prompt=none cannot be combined with other values");
  // select_account: there is one account per browser session here, so it means login.
  return [...new Set(values.map((v) => (v === "select_account" ? "login" : v)))] as AuthorizationRequest["prompt"];
}

function maxAgeOf(params: Params): number | null {
  const raw = params.get("max_age");
  if (raw === undefined) return null;
  if (!/^\d{1,9}$/.test(raw)) throw redirectError("invalid_request", "max_age must be a non-negative integer of seconds");
  return Number(raw);
}

function pkceOf(params: Params, client: RegisteredClient): string | null {
  const challenge = params.get("code_challenge") ?? null;
  const method = params.get("code_challenge_method");
  if (challenge === null) {
    if (method !== undefined) throw redirectError("invalid_request", "code_challenge_method without code_challenge");
    // RFC 9700 §2.1.1: public clients must use PKCE.
    if (client.clientType === "public") throw redirectError("invalid_request", "code_challenge is required for public clients (PKCE, RFC 7636)");
    if (client.securityProfile === "fapi2") throw redirectError("invalid_request", "code_challenge is required for FAPI 2.0 clients (PKCE S256, FAPI 2.0 Security Profile §5.3.2.2)");
    return null;
  }
  // RFC 7636 §4.3 defaults to plain, which this provider does not accept (RFC 9700 §2.1.1).
  if (method !== "S256") throw redirectError("invalid_request", "code_challenge_method must be S256");
  if (!isS256Challenge(challenge)) throw redirectError("invalid_request", "code_challenge must be 43 base64url characters");
  return challenge;
}

/**
 * The claims parameter (OIDC Core §5.5). An essential acr this provider cannot
 * produce fails the request before anyone signs in: §5.5.1.1 makes it a failed
 * authentication, reported as unmet_authentication_requirements (OpenID Connect
 * Core Errata, "Unmet Authentication Requirements"); nothing is stored for it.
 */
function claimsOf(params: Params): RequestedClaims | null {
  const raw = params.get("claims");
  if (raw === undefined) return null;
  const parsed = parseClaimsParameter(raw);
  if (!parsed.ok) throw redirectError("invalid_request", parsed.description);
  if (!acrSatisfiable(parsed.acr)) {
    throw redirectError("unmet_authentication_requirements", "the essential acr values requested cannot be met: this provider signs in with acr 1 or urn:authshard:acr:mfa only");
  }
  return parsed.claims;
}

/** Step 2, once the redirect URI is trusted: every other parameter (OIDC Core §3.1.2.1, §3.1.2.2). */
export function validateRequest(params: Params, client: RegisteredClient, redirectUri: string): AuthorizationRequest {
  if (params.has("request_uri")) throw redirectError("request_uri_not_supported", "request_uri is not supported");
  const responseType = responseTypeOf(params, client);
  const responseMode = responseModeOf(params.get("response_mode"), responseType);
  if (!client.grantTypes.has("authorization_code")) throw redirectError("unauthorized_client", "this client may not use the authorization code flow");
  const nonce = params.get("nonce") ?? null;
  if (nonce !== null && nonce.length > 512) throw redirectError("invalid_request", "nonce is too long");
  // OIDC Core §3.3.2.11 (as §3.2.2.1): an ID token from the authorization endpoint must be bound to the request.
  if (nonce === null && responseType.includes("id_token")) throw redirectError("invalid_request", `nonce is required for response_type ${responseType}`);
  const loginHint = params.get("login_hint") ?? null;
  return {
    clientId: client.clientId,
    redirectUri,
    responseType,
    responseMode,
    jarm: jarmOf(responseMode, client),
    state: params.get("state") ?? null,
    scope: scopeOf(params, client),
    nonce,
    codeChallenge: pkceOf(params, client),
    prompt: promptOf(params),
    maxAge: maxAgeOf(params),
    loginHint: loginHint !== null && loginHint.length <= 254 ? loginHint : null,
    ...dpopJktOf(params),
    claims: claimsOf(params),
    ...profileLimits(client),
    ...mfaAskedOf(params, client),
    ...uiLocaleOf(params),
  };
}

/** OIDC Core §3.1.2.1: ui_locales is a preference; tags we do not have are ignored, never an error. */
function uiLocaleOf(params: Params): { uiLocale?: Locale } {
  const locale = localeOfUiLocales(params.get("ui_locales")?.slice(0, 256));
  return locale ? { uiLocale: locale } : {};
}

/**
 * OIDC Core §3.1.2.1 acr_values, and §5.5.1.1 an essential acr claim: asking for the MFA
 * class only means the user must give the second factor, even with a live password session.
 */
function mfaAskedOf(params: Params, client: RegisteredClient): { mfa?: true } {
  if (client.mfaRequired) return { mfa: true };
  const acrValues = params.get("acr_values");
  if (acrValues !== undefined && acrValues.length > 1024) throw redirectError("invalid_request", "acr_values is too long");
  const claims = params.get("claims");
  const parsed = claims === undefined ? null : parseClaimsParameter(claims);
  const essential = parsed?.ok && parsed.acr?.essential ? parsed.acr.values : null;
  return asksForMfa(acrValues?.split(" ").filter(Boolean)) || asksForMfa(essential) ? { mfa: true } : {};
}

/** RFC 9449 §10: `dpop_jkt`, the base64url SHA-256 JWK thumbprint of the key that must redeem the code. */
function dpopJktOf(params: Params): { dpopJkt?: string } {
  const jkt = params.get("dpop_jkt");
  if (jkt === undefined) return {};
  if (!isJwkThumbprint(jkt)) throw redirectError("invalid_request", "dpop_jkt must be a base64url SHA-256 JWK thumbprint (RFC 9449 §10)");
  return { dpopJkt: jkt };
}

/**
 * response_mode and state are needed to deliver an error even when validation failed:
 * the requested mode when it is valid for the response type, else the type's default.
 */
export function deliveryOf(params: Params, client: RegisteredClient): { responseMode: ResponseMode; state: string | null; jarm: JarmSigning | null } {
  const type = canonicalResponseType(params.get("response_type") ?? "") ?? "code";
  let mode: ResponseMode;
  try {
    mode = responseModeOf(params.get("response_mode"), type);
  } catch {
    mode = defaultResponseMode(type);
  }
  return { responseMode: mode, state: params.get("state") ?? null, jarm: jarmOf(mode, client) };
}
