/**
 * Rules for the URIs a client registers besides its redirect URIs (those are
 * `redirectUriProblem` in endpoints/admin/client-schema.ts). Each returns what is
 * wrong, or null. Shared by the operator API and dynamic registration, so a client
 * cannot register through one what the other refuses.
 */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
export const MAX_URI_LENGTH = 2000;

function absolute(raw: string): URL | string {
  if (raw.length > MAX_URI_LENGTH) return `must be at most ${MAX_URI_LENGTH} characters`;
  try {
    return new URL(raw);
  } catch {
    return "must be an absolute URI";
  }
}

/**
 * A logout URI the provider calls or frames: absolute, no fragment (OIDC Back-Channel
 * Logout 1.0 §2.2, Front-Channel Logout 1.0 §2), https — or http on a loopback host,
 * for development. Custom schemes make no sense here: the provider POSTs to it (back
 * channel) or a browser frame loads it (front channel).
 */
export function logoutUriProblem(raw: string): string | null {
  const url = absolute(raw);
  if (typeof url === "string") return url;
  if (url.hash || raw.includes("#")) return "must not contain a fragment";
  if (url.username || url.password) return "must not contain credentials";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:") return LOOPBACK_HOSTS.has(url.hostname) ? null : "http is allowed only for loopback hosts; use https";
  return "must use https";
}

/**
 * Front-Channel Logout 1.0 §2: "The domain, port, and scheme of this URL MUST be the
 * same as that of a registered Redirection URI value."
 */
export function frontchannelOriginProblem(raw: string, redirectUris: readonly string[]): string | null {
  const origin = originOf(raw);
  if (origin === null) return "must be an absolute URI";
  const matches = redirectUris.some((uri) => originOf(uri) === origin);
  return matches ? null : `must have the scheme, host and port of a registered redirect URI (${origin} is none of them)`;
}

function originOf(raw: string): string | null {
  try {
    return new URL(raw).origin;
  } catch {
    return null;
  }
}

/**
 * An https URL the provider may fetch or show (jwks_uri, client_uri, logo_uri, tos_uri,
 * policy_uri; RFC 7591 §2, §5): never plain http, which anyone on the path could change.
 */
export function httpsUriProblem(raw: string): string | null {
  const url = absolute(raw);
  if (typeof url === "string") return url;
  if (url.protocol !== "https:") return "must use https";
  if (url.hash || raw.includes("#")) return "must not contain a fragment";
  if (url.username || url.password) return "must not contain credentials";
  return null;
}
