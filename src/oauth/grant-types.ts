/** RFC 8693 §2.1: the grant type of token exchange (registration, discovery and /token all name it). */
export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

/** RFC 8628 §3.4: the grant type a device polls /token with. */
export const DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";

/** OpenID CIBA Core 1.0 §4, §10.1: the grant type a CIBA client polls /token with (and registers). */
export const CIBA = "urn:openid:params:grant-type:ciba";
/** RFC 7523 §2.1: the JWT bearer grant, an assertion from a trusted issuer traded for a token. */
export const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
