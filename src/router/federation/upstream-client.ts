import { createRemoteJWKSet } from "jose/jwks/remote";
import { decodeJwt } from "jose/jwt/decode";
import { decodeProtectedHeader } from "jose/decode/protected_header";
import { jwtVerify } from "jose/jwt/verify";
import type { JWTPayload } from "jose";
import * as oauth from "oauth4webapi";
import type { Config } from "../../config";
import { openSecret } from "../../oauth/sealed-secret";
import { appleClientSecret } from "../../federation/apple-secret";
import { claimAt, expectedIssuer } from "../../federation/presets";
import type { UpstreamRow } from "../d1/upstreams";

/**
 * The client side of a sign-in at an upstream: the authorization URL, then the code
 * exchanged (oauth4webapi: the token request, the token response and its ID token's
 * claims — iss, aud, exp, nonce), the ID token's signature verified with jose against the
 * upstream's JWKS, and for an OAuth 2.0 upstream the userinfo call. Every call to the
 * upstream is bounded by FEDERATION_TIMEOUT_MS. Each failure is an UpstreamError whose
 * message may be shown to the person; the detail goes to the log only.
 */
export class UpstreamError extends Error {
  constructor(
    readonly reason: "denied" | "failed" | "bad_token",
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** The identity an upstream vouched for, in our terms (the provider's claim mapping applied). */
export interface UpstreamIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  /** The upstream's `amr` (RFC 8176), when its ID token has one. */
  amr: string[];
  tokens: { access_token: string; refresh_token?: string | undefined; expires_in?: number | undefined };
}

export function redirectUriOf(config: Config): string {
  return `${config.issuer}/federation-callback`;
}

function serverOf(row: UpstreamRow, issuer?: string): oauth.AuthorizationServer {
  return {
    // An OAuth 2.0 upstream has no issuer identifier; oauth4webapi needs one to compare with, and no token carries it.
    issuer: issuer ?? row.issuer ?? `urn:authshard:upstream:${row.id}`,
    authorization_endpoint: row.authorizationEndpoint,
    token_endpoint: row.tokenEndpoint,
    ...(row.userinfoEndpoint ? { userinfo_endpoint: row.userinfoEndpoint } : {}),
  };
}

function options(config: Config) {
  const url = new URL(config.issuer);
  // http upstreams are accepted only on loopback (providers.ts upstreamUrlProblem), for a second local provider.
  return { signal: AbortSignal.timeout(config.federation.timeoutMs), [oauth.allowInsecureRequests]: url.protocol === "http:" };
}

export function authorizationUrl(config: Config, row: UpstreamRow, state: string, codeChallenge: string, nonce: string): string {
  const url = new URL(row.authorizationEndpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", row.clientId);
  url.searchParams.set("redirect_uri", redirectUriOf(config));
  if (row.scope) url.searchParams.set("scope", row.scope);
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  if (row.kind === "oidc") url.searchParams.set("nonce", nonce);
  if (row.preset === "apple") url.searchParams.set("response_mode", "form_post");
  return url.toString();
}

/** JWKS per jwks_uri, per isolate: jose refetches on an unknown kid (at most every 30 s) and after 10 minutes. */
const jwksSets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function jwksOf(config: Config, uri: string) {
  let set = jwksSets.get(uri);
  if (!set) {
    set = createRemoteJWKSet(new URL(uri), { timeoutDuration: config.federation.timeoutMs });
    jwksSets.set(uri, set);
  }
  return set;
}

/** How the token request authenticates: Apple's minted ES256 JWT when its key is stored, else the sealed secret (or none). */
export async function clientAuth(config: Config, row: UpstreamRow): Promise<oauth.ClientAuth> {
  if (row.preset === "apple" && row.appleSealedKey && row.appleTeamId && row.appleKeyId) {
    const { id, clientId, appleTeamId: teamId, appleKeyId: keyId, appleSealedKey: sealedKey } = row;
    const minted = config.federation.secretKey ? await appleClientSecret(config.federation.secretKey, { id, clientId, teamId, keyId, sealedKey }) : null;
    if (minted === null) throw new UpstreamError("failed", `the Apple private key of upstream ${row.id} does not open with FEDERATION_SECRET_KEY`);
    return oauth.ClientSecretPost(minted);
  }
  if (!row.sealedSecret) return oauth.None();
  const secret = config.federation.secretKey ? await openSecret(config.federation.secretKey, row.id, row.sealedSecret) : null;
  if (secret === null) throw new UpstreamError("failed", `the client secret of upstream ${row.id} does not open with FEDERATION_SECRET_KEY`);
  return row.preset === "apple" || row.preset === "facebook" ? oauth.ClientSecretPost(secret) : oauth.ClientSecretBasic(secret);
}

/** Asymmetric algorithms an upstream's ID token may be signed with (never "none" or a shared-secret HMAC). */
const ID_TOKEN_ALGS = new Set(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]);

/**
 * The token response, checked by oauth4webapi. Its ID token's alg (asymmetric only) and, for
 * Microsoft's multi-tenant issuer, the token's own tenant are read first, so oauth4webapi
 * compares against what this token must say; jose then verifies the signature.
 */
async function exchange(config: Config, row: UpstreamRow, params: URLSearchParams, verifier: string, nonce: string) {
  const response = await oauth.authorizationCodeGrantRequest(serverOf(row), { client_id: row.clientId }, await clientAuth(config, row), params, redirectUriOf(config), verifier, options(config));
  const body = (await response.clone().json().catch(() => ({}))) as { id_token?: unknown };
  const idToken = typeof body.id_token === "string" ? body.id_token : null;
  let issuer = row.issuer ?? undefined;
  let alg: string | undefined;
  if (idToken) {
    alg = String(decodeProtectedHeader(idToken).alg);
    if (!ID_TOKEN_ALGS.has(alg)) throw new UpstreamError("bad_token", `the ID token is signed with ${alg}`);
    if (issuer?.includes("{tenantid}")) issuer = expectedIssuer(issuer, decodeJwt(idToken)) ?? undefined;
    if (!issuer) throw new UpstreamError("bad_token", "the ID token names no valid tenant");
  }
  const as = serverOf(row, issuer);
  const client: oauth.Client = { client_id: row.clientId, ...(alg ? { id_token_signed_response_alg: alg } : {}) };
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, row.kind === "oidc" ? { expectedNonce: nonce, requireIdToken: true } : {});
  return { as, tokens };
}

async function userinfo(config: Config, url: string, accessToken: string): Promise<Record<string, unknown>> {
  const response = await oauth.protectedResourceRequest(accessToken, "GET", new URL(url), new Headers({ accept: "application/json" }), null, options(config));
  if (!response.ok) throw new UpstreamError("failed", `userinfo ${url} answered ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

/** GitHub-style emails API: the verified primary address. */
async function verifiedPrimaryEmail(config: Config, url: string, accessToken: string): Promise<string | null> {
  const response = await oauth.protectedResourceRequest(accessToken, "GET", new URL(url), new Headers({ accept: "application/json" }), null, options(config));
  if (!response.ok) return null;
  const list = (await response.json()) as { email?: string; primary?: boolean; verified?: boolean }[];
  return (Array.isArray(list) ? list.find((e) => e.primary && e.verified)?.email : undefined) ?? null;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 && value.length <= 512 ? value : typeof value === "number" ? String(value) : null;
}

/**
 * The callback's parameters checked (state compared by the caller; RFC 9207 `iss` where the
 * upstream sends one), the code exchanged, and the identity read from the verified ID token
 * or the userinfo answer through the provider's claim mapping.
 */
export async function finishUpstream(config: Config, row: UpstreamRow, params: URLSearchParams, verifier: string, nonce: string): Promise<UpstreamIdentity> {
  const error = params.get("error");
  if (error) throw new UpstreamError(error === "access_denied" ? "denied" : "failed", `the upstream answered ${error}: ${params.get("error_description") ?? ""}`);
  if (!params.get("code")) throw new UpstreamError("failed", "the upstream sent no code");
  let callback: URLSearchParams;
  try {
    // RFC 9207 §2.4: an iss in the answer must be the upstream's (the state is ours, checked by the caller).
    callback = oauth.validateAuthResponse(serverOf(row), { client_id: row.clientId }, params, oauth.skipStateCheck);
  } catch (e) {
    throw new UpstreamError("failed", e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  }
  let claims: Record<string, unknown>;
  let tokens: oauth.TokenEndpointResponse;
  try {
    const exchanged = await exchange(config, row, callback, verifier, nonce);
    tokens = exchanged.tokens;
    claims = row.kind === "oidc" ? await verifyIdToken(config, row, exchanged.as.issuer, tokens.id_token!) : await userinfo(config, row.userinfoEndpoint!, tokens.access_token);
    // Many providers put profile claims only in userinfo (OIDC Core §5.4): ask it when the ID token has no email.
    if (row.kind === "oidc" && row.userinfoEndpoint && claimAt(claims, row.claimMapping.email) === undefined) {
      const extra = await userinfo(config, row.userinfoEndpoint, tokens.access_token);
      // OIDC Core §5.3.2: userinfo about another subject than the ID token's is not used.
      if (extra.sub === claims.sub) claims = { ...extra, ...claims };
    }
  } catch (e) {
    if (e instanceof UpstreamError) throw e;
    throw new UpstreamError(isTokenProblem(e) ? "bad_token" : "failed", e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  }
  return identityOf(row, { ...firstSignInName(row, params), ...claims }, tokens, row.emailsEndpoint ? await verifiedPrimaryEmail(config, row.emailsEndpoint, tokens.access_token) : undefined);
}

/** Apple sends the person's name once, on the first sign-in, as JSON in the form post's `user` field (not in the ID token). */
function firstSignInName(row: UpstreamRow, params: URLSearchParams): Record<string, string> {
  if (row.preset !== "apple") return {};
  try {
    const name = (JSON.parse(params.get("user") ?? "{}") as { name?: { firstName?: unknown; lastName?: unknown } }).name;
    const given = typeof name?.firstName === "string" ? name.firstName : "";
    const family = typeof name?.lastName === "string" ? name.lastName : "";
    return { ...(given ? { given_name: given } : {}), ...(family ? { family_name: family } : {}), ...(given || family ? { name: `${given} ${family}`.trim() } : {}) };
  } catch {
    return {};
  }
}

/** The upstream answered, but its ID token failed a check (jose's signature errors, oauth4webapi's claim checks); else the call failed. */
function isTokenProblem(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.startsWith("ERR_J")) return true;
  return e instanceof oauth.OperationProcessingError && /ID Token|JWT/.test(e.message);
}

async function verifyIdToken(config: Config, row: UpstreamRow, issuer: string, idToken: string): Promise<JWTPayload> {
  if (!row.jwksUri) throw new UpstreamError("failed", `upstream ${row.id} has no jwks_uri`);
  const { payload } = await jwtVerify(idToken, jwksOf(config, row.jwksUri), { issuer, audience: row.clientId });
  return payload;
}

function identityOf(row: UpstreamRow, claims: Record<string, unknown>, tokens: oauth.TokenEndpointResponse, primaryEmail: string | null | undefined): UpstreamIdentity {
  const m = row.claimMapping;
  const subject = text(claimAt(claims, m.subject));
  if (!subject) throw new UpstreamError("bad_token", `the upstream's answer has no ${m.subject}`);
  const email = primaryEmail !== undefined ? primaryEmail : text(claimAt(claims, m.email))?.toLowerCase() ?? null;
  // Verified only when the upstream says so (or its emails API marks it verified): an email otherwise never links accounts.
  const emailVerified = email !== null && (primaryEmail !== undefined ? primaryEmail !== null : claimAt(claims, m.emailVerified) === true || claimAt(claims, m.emailVerified) === "true");
  const amr = Array.isArray(claims.amr) ? claims.amr.filter((v): v is string => typeof v === "string" && /^[a-z0-9_]{1,20}$/i.test(v)) : [];
  return {
    subject, email, emailVerified, amr,
    name: text(claimAt(claims, m.name)), givenName: text(claimAt(claims, m.givenName)), familyName: text(claimAt(claims, m.familyName)),
    tokens: { access_token: tokens.access_token, refresh_token: tokens.refresh_token, expires_in: tokens.expires_in },
  };
}
