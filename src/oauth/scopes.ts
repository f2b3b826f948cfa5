/** The scopes this provider knows, and what each means to the person asked to allow it. */
export const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: "Sign you in with your account",
  profile: "See your name",
  email: "See your email address",
  offline_access: "Stay signed in to the app when you are not using it",
  // Roles and permissions (src/oauth/access-policy.ts): released only to clients configured for them.
  roles: "See your roles and permissions",
  groups: "See the groups you belong to",
};

export const SCOPES_SUPPORTED = Object.keys(SCOPE_DESCRIPTIONS);

/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * A scope (RFC 6749 §3.3): distinct scope tokens, order kept. Plain strings inside,
 * so it crosses RPC and JSON as an array; the brand says it has been parsed.
 */
export type Scope = readonly string[] & { readonly __scope: true };

const asScope = (tokens: readonly string[]) => [...new Set(tokens)] as unknown as Scope;

/** A scope parameter as a client sent it: space-delimited, no empty tokens; null if malformed. */
export function parseScope(raw: string): Scope | null {
  const tokens = raw.split(" ");
  if (tokens.some((t) => !SCOPE_TOKEN.test(t))) return null;
  return asScope(tokens);
}

/** A scope this provider stored or signed itself (never client input): empty tokens ignored. */
export function storedScope(value: string): Scope {
  return asScope(value.split(" ").filter((t) => t !== ""));
}

/** The space-delimited form of tokens, responses and storage. */
export function formatScope(scope: readonly string[]): string {
  return scope.join(" ");
}

/** Whether `granted` includes every token of `requested` (the empty scope is always covered). */
export function coversScope(granted: readonly string[], requested: readonly string[]): boolean {
  return requested.every((t) => granted.includes(t));
}

/**
 * A narrower scope asked of an existing grant (RFC 6749 §6: "MUST NOT include any
 * scope not originally granted"): `requested` when `granted` covers it, else null.
 */
export function narrowScope(granted: Scope, requested: Scope | null): Scope | null {
  if (requested === null) return granted;
  return coversScope(granted, requested) ? requested : null;
}

export function hasScope(scope: readonly string[], token: string): boolean {
  return scope.includes(token);
}

/** Claims released per scope (OIDC Core §5.4). */
export const CLAIMS_BY_SCOPE: Readonly<Record<string, readonly string[]>> = {
  profile: ["name", "given_name", "family_name", "updated_at"],
  email: ["email", "email_verified"],
};

export const CLAIMS_SUPPORTED = [
  "sub",
  "iss",
  "aud",
  "exp",
  "iat",
  "auth_time",
  "nonce",
  "acr",
  "amr",
  "azp",
  "sid",
  "at_hash",
  ...Object.values(CLAIMS_BY_SCOPE).flat(),
  // Roles and permissions (per client configuration)
  "roles",
  "groups",
  "permissions",
];
