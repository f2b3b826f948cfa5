import * as oauth from "oauth4webapi";
import { decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { createUser, discover, REDIRECT_URI, rp, signIn } from "../helpers/oidc";
import { mintToken } from "./helpers";

/**
 * A relying party that knows nothing but the issuer: discovery finds the registration
 * endpoint, oauth4webapi registers (RFC 7591 §3.1 with an initial access token), and
 * the new client signs a user in straight away (OIDC Core §3.1), as any client would.
 */
describe.each([
  ["confidential (client_secret_basic, RS256 by default)", { token_endpoint_auth_method: "client_secret_basic" }],
  ["public (none + PKCE, ES256)", { token_endpoint_auth_method: "none", id_token_signed_response_alg: "ES256" }],
])("a dynamically registered client signs in, %s", (_label, metadata) => {
  it("registers, then runs the code flow with tokens the RP validates, then refreshes", async () => {
    const as = await discover();
    expect(as.registration_endpoint).toBe(`${as.issuer}/register`);
    const { initial_access_token } = await mintToken();
    const registration = await oauth.dynamicClientRegistrationRequest(
      as,
      { redirect_uris: [REDIRECT_URI], grant_types: ["authorization_code", "refresh_token"], scope: "openid profile email offline_access", client_name: "Fresh app", ...metadata },
      { ...rp, initialAccessToken: initial_access_token },
    );
    const client = await oauth.processDynamicClientRegistrationResponse(registration);
    const auth = client.client_secret ? oauth.ClientSecretBasic(client.client_secret as string) : oauth.None();

    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const params = {
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: "code",
      scope: "openid profile email offline_access",
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    };
    const user = await createUser();
    const callback = await signIn(new TestBrowser(), params, user);
    const validated = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, auth, validated, REDIRECT_URI, verifier, rp);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });

    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(claims).toMatchObject({ sub: user.id, aud: client.client_id, nonce });
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe(client.id_token_signed_response_alg);
    const info = await oauth.processUserInfoResponse(as, client, user.id, await oauth.userInfoRequest(as, client, tokens.access_token, rp));
    expect(info).toMatchObject({ sub: user.id, email: user.email });

    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, rp));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
  });
});
