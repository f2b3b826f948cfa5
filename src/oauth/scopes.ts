/** The scopes this provider knows, and what each means to the person asked to allow it. */
export const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: "Sign you in with your account",
  profile: "See your name",
  email: "See your email address",
  offline_access: "Stay signed in to the app when you are not using it",
};

export const SCOPES_SUPPORTED = Object.keys(SCOPE_DESCRIPTIONS);

/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Space-delimited, no empty tokens; null if malformed. Duplicates collapse, order is kept. */
export function parseScope(raw: string): string[] | null {
  const tokens = raw.split(" ");
  if (tokens.some((t) => !SCOPE_TOKEN.test(t))) return null;
  return [...new Set(tokens)];
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
];
