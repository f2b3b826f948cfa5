/**
 * The response types /authorize serves: the code flow (OIDC Core §3.1) and the
 * hybrid flow (§3.3), written in one canonical order. The implicit-only types
 * (`id_token`, `token`, `id_token token`) are not served (RFC 9700 §2.1.2).
 */
export const RESPONSE_TYPES = ["code", "code id_token", "code token", "code id_token token"] as const;
export type ResponseType = (typeof RESPONSE_TYPES)[number];

/**
 * The canonical spelling of a response_type value, or null when it is not one we
 * serve. Its space-separated values are unordered (RFC 6749 §3.1.1), so
 * `id_token code` is `code id_token`.
 */
export function canonicalResponseType(raw: string): ResponseType | null {
  const values = raw.split(" ");
  if (values.some((v) => v === "") || new Set(values).size !== values.length) return null;
  const sorted = values.sort().join(" ");
  return (RESPONSE_TYPES as readonly string[]).includes(sorted) ? (sorted as ResponseType) : null;
}

/** Whether the front channel returns a token (an ID token or an access token): the hybrid flow. */
export function isHybrid(type: ResponseType): boolean {
  return type !== "code";
}
