import * as oauth from "oauth4webapi";

/** The app's redirect URI in the page tests: nothing serves it; the tests read the code from the request. */
export const REDIRECT_URI = "http://127.0.0.1:3000/callback";

/** The provider's discovery document, as a client reads it (http is allowed on loopback only). */
export async function discover(base: string): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(base);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oidc", [oauth.allowInsecureRequests]: true }));
}

/**
 * An authorization request with PKCE S256 and a nonce (OIDC Core §3.1.2.1, RFC 7636 §4),
 * to REDIRECT_URI; `params` adds or overrides parameters (scope, state, acr_values, …).
 */
export async function authorizationRequest(as: oauth.AuthorizationServer, clientId: string, params: Record<string, string>): Promise<{ authorize: URL; verifier: string; nonce: string }> {
  const verifier = oauth.generateRandomCodeVerifier();
  const nonce = oauth.generateRandomNonce();
  const authorize = new URL(as.authorization_endpoint!);
  authorize.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    ...params,
  }).toString();
  return { authorize, verifier, nonce };
}
