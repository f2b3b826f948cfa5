/** A client id as registered: what /token, /authorize and the registry accept before any lookup. */
export const CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/;

/** RFC 7591 §2 names; "none" is the public client's (it proves itself with PKCE instead). */
export const AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none", "private_key_jwt", "client_secret_jwt"] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];
