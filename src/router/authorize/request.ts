import type { Env } from "../../env";
import { isS256Challenge } from "../../oauth/pkce";
import { parseScope, SCOPES_SUPPORTED } from "../../oauth/scopes";
import { getClient, type RegisteredClient } from "../clients/registry";
import type { Config } from "../../config";
import { OAuthError } from "../errors";
import type { Params } from "../http/params";

/** A validated authorization request: everything later steps and the code are bound to. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  responseMode: "query" | "form_post";
  state: string | null;
  scope: string;
  nonce: string | null;
  codeChallenge: string | null;
  prompt: ReadonlyArray<"none" | "login" | "consent">;
  maxAge: number | null;
  loginHint: string | null;
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

function responseModeOf(params: Params): "query" | "form_post" {
  const mode = params.get("response_mode") ?? "query";
  if (mode !== "query" && mode !== "form_post") throw redirectError("invalid_request", "response_mode must be query or form_post");
  return mode;
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
    return null;
  }
  // RFC 7636 §4.3 defaults to plain, which this provider does not accept (RFC 9700 §2.1.1).
  if (method !== "S256") throw redirectError("invalid_request", "code_challenge_method must be S256");
  if (!isS256Challenge(challenge)) throw redirectError("invalid_request", "code_challenge must be 43 base64url characters");
  return challenge;
}

/** Step 2, once the redirect URI is trusted: every other parameter (OIDC Core §3.1.2.1, §3.1.2.2). */
export function validateRequest(params: Params, client: RegisteredClient, redirectUri: string): AuthorizationRequest {
  if (params.has("request_uri")) throw redirectError("request_uri_not_supported", "request_uri is not supported");
  const responseMode = responseModeOf(params);
  const responseType = params.get("response_type");
  if (!responseType) throw redirectError("invalid_request", "response_type is missing");
  if (responseType !== "code") throw redirectError("unsupported_response_type", "only response_type=code is supported");
  if (!client.grantTypes.has("authorization_code")) throw redirectError("unauthorized_client", "this client may not use the authorization code flow");
  const nonce = params.get("nonce") ?? null;
  if (nonce !== null && nonce.length > 512) throw redirectError("invalid_request", "nonce is too long");
  const loginHint = params.get("login_hint") ?? null;
  return {
    clientId: client.clientId,
    redirectUri,
    responseMode,
    state: params.get("state") ?? null,
    scope: scopeOf(params, client),
    nonce,
    codeChallenge: pkceOf(params, client),
    prompt: promptOf(params),
    maxAge: maxAgeOf(params),
    loginHint: loginHint !== null && loginHint.length <= 254 ? loginHint : null,
  };
}

/** response_mode and state are needed to deliver an error even when validation failed. */
export function deliveryOf(params: Params): { responseMode: "query" | "form_post"; state: string | null } {
  const mode = params.get("response_mode");
  return { responseMode: mode === "form_post" ? "form_post" : "query", state: params.get("state") ?? null };
}
