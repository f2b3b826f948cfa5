/**
 * Upstream identity providers as small declarative objects: what differs between them is
 * data (endpoints, scopes, where each claim sits, how the client authenticates), so the
 * sign-in code has one path for every OpenID provider and one for every OAuth 2.0-only one.
 * An operator picks a preset and gives the client id and secret (README "Sign in with other
 * providers (federation)"); anything the preset sets may be overridden per provider.
 */

/** Where each profile claim sits in the upstream's ID token or userinfo answer (a top-level member name). */
export interface ClaimMapping {
  subject: string;
  email: string;
  emailVerified: string | null;
  name: string;
  givenName: string | null;
  familyName: string | null;
}

export interface Preset {
  /** oidc: an ID token, verified against the upstream's JWKS; oauth2: a userinfo call only. */
  kind: "oidc" | "oauth2";
  displayName: string;
  /** The expected `iss`; `{tenantid}` stands for the token's `tid` (Microsoft Entra ID, multi-tenant). */
  issuer: string | null;
  authorizationEndpoint: string | null;
  tokenEndpoint: string | null;
  userinfoEndpoint: string | null;
  jwksUri: string | null;
  scope: string;
  claimMapping: ClaimMapping;
  /** Answers the callback with a form POST (Apple) instead of a redirect with a query. */
  responseMode: "query" | "form_post";
  /** GitHub: the verified primary email comes from the emails API, not the profile. */
  emailsEndpoint: string | null;
  /** Endpoints come from the issuer's discovery document when the operator adds the provider. */
  discovery: boolean;
}

const OIDC_CLAIMS: ClaimMapping = { subject: "sub", email: "email", emailVerified: "email_verified", name: "name", givenName: "given_name", familyName: "family_name" };

const base = { responseMode: "query", emailsEndpoint: null, discovery: false } as const;

export const PRESETS = {
  /** Any OpenID provider: endpoints from `<issuer>/.well-known/openid-configuration`. */
  oidc: { ...base, kind: "oidc", displayName: "OpenID provider", issuer: null, authorizationEndpoint: null, tokenEndpoint: null, userinfoEndpoint: null, jwksUri: null, scope: "openid email profile", claimMapping: OIDC_CLAIMS, discovery: true },
  /** Any OAuth 2.0 provider with a userinfo endpoint: every endpoint given by the operator. */
  oauth2: { ...base, kind: "oauth2", displayName: "OAuth provider", issuer: null, authorizationEndpoint: null, tokenEndpoint: null, userinfoEndpoint: null, jwksUri: null, scope: "", claimMapping: { ...OIDC_CLAIMS, subject: "id" } },
  google: {
    ...base, kind: "oidc", displayName: "Google", issuer: "https://accounts.google.com",
    authorizationEndpoint: "https://accounts.google.com/o/oauth2/v2/auth", tokenEndpoint: "https://oauth2.googleapis.com/token",
    userinfoEndpoint: "https://openidconnect.googleapis.com/v1/userinfo", jwksUri: "https://www.googleapis.com/oauth2/v3/certs",
    scope: "openid email profile", claimMapping: OIDC_CLAIMS,
  },
  apple: {
    // Apple posts the answer (form_post when asking for name/email) and sends the name only on the first sign-in.
    ...base, kind: "oidc", displayName: "Apple", issuer: "https://appleid.apple.com",
    authorizationEndpoint: "https://appleid.apple.com/auth/authorize", tokenEndpoint: "https://appleid.apple.com/auth/token",
    userinfoEndpoint: null, jwksUri: "https://appleid.apple.com/auth/keys", scope: "openid email name", claimMapping: OIDC_CLAIMS, responseMode: "form_post",
  },
  microsoft: {
    // The multi-tenant "common" endpoints: each token's issuer names its own tenant.
    ...base, kind: "oidc", displayName: "Microsoft", issuer: "https://login.microsoftonline.com/{tenantid}/v2.0",
    authorizationEndpoint: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize", tokenEndpoint: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
    userinfoEndpoint: "https://graph.microsoft.com/oidc/userinfo", jwksUri: "https://login.microsoftonline.com/common/discovery/v2.0/keys",
    // Entra ID does not assert email_verified; its email is whatever the tenant typed, so it never counts as verified.
    scope: "openid email profile", claimMapping: { ...OIDC_CLAIMS, emailVerified: null },
  },
  github: {
    ...base, kind: "oauth2", displayName: "GitHub", issuer: null,
    authorizationEndpoint: "https://github.com/login/oauth/authorize", tokenEndpoint: "https://github.com/login/oauth/access_token",
    userinfoEndpoint: "https://api.github.com/user", jwksUri: null, scope: "read:user user:email",
    claimMapping: { subject: "id", email: "email", emailVerified: null, name: "name", givenName: null, familyName: null }, emailsEndpoint: "https://api.github.com/user/emails",
  },
  facebook: {
    ...base, kind: "oauth2", displayName: "Facebook", issuer: null,
    authorizationEndpoint: "https://www.facebook.com/v19.0/dialog/oauth", tokenEndpoint: "https://graph.facebook.com/v19.0/oauth/access_token",
    userinfoEndpoint: "https://graph.facebook.com/me?fields=id,name,email,first_name,last_name", jwksUri: null, scope: "email public_profile",
    // Facebook returns an email only once the person confirmed it, but does not say so: never counted as verified.
    claimMapping: { subject: "id", email: "email", emailVerified: null, name: "name", givenName: "first_name", familyName: "last_name" },
  },
  x: {
    ...base, kind: "oauth2", displayName: "X", issuer: null,
    authorizationEndpoint: "https://x.com/i/oauth2/authorize", tokenEndpoint: "https://api.x.com/2/oauth2/token",
    userinfoEndpoint: "https://api.x.com/2/users/me", jwksUri: null, scope: "users.read tweet.read",
    // X answers { data: { id, name, username } } and gives no email.
    claimMapping: { subject: "data.id", email: "data.email", emailVerified: null, name: "data.name", givenName: null, familyName: null },
  },
  linkedin: {
    ...base, kind: "oidc", displayName: "LinkedIn", issuer: "https://www.linkedin.com/oauth",
    authorizationEndpoint: "https://www.linkedin.com/oauth/v2/authorization", tokenEndpoint: "https://www.linkedin.com/oauth/v2/accessToken",
    userinfoEndpoint: "https://api.linkedin.com/v2/userinfo", jwksUri: "https://www.linkedin.com/oauth/openid/jwks", scope: "openid profile email", claimMapping: OIDC_CLAIMS,
  },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}

/** A claim by its mapped name: a member, or a dotted path into nested objects (X's `data.id`). */
export function claimAt(claims: Record<string, unknown>, path: string | null): unknown {
  if (!path) return undefined;
  let value: unknown = claims;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The expected issuer of a token: Microsoft's `{tenantid}` becomes the token's own `tid` (and only a well-formed one). */
export function expectedIssuer(issuer: string, claims: Record<string, unknown>): string | null {
  if (!issuer.includes("{tenantid}")) return issuer;
  const tid = claims.tid;
  if (typeof tid !== "string" || !/^[0-9a-f-]{36}$/i.test(tid)) return null;
  return issuer.replace("{tenantid}", tid);
}
