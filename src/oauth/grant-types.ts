/** RFC 8693 §2.1: the grant type of token exchange (registration, discovery and /token all name it). */
export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
