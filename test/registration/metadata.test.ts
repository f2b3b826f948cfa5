import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { getClient } from "../../src/router/clients/registry";
import { json } from "../helpers/http";
import { expectError, mintToken, REDIRECT, register, type ClientInformation } from "./helpers";

const EC_PUBLIC = { kty: "EC", crv: "P-256", x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" };
const BASE = { redirect_uris: [REDIRECT] };

let token: string;
beforeAll(async () => {
  // Everything a rule below could need is within this policy, so only the rule refuses.
  token = (await mintToken({ grant_types: ["authorization_code", "refresh_token", "client_credentials"], scope: "openid profile email offline_access", max_uses: 1000 }))
    .initial_access_token;
});

/**
 * RFC 7591 §2 client metadata, one rule per row: the field, what breaks it, the error
 * code (§3.2.2) and a word the description must contain. Every description starts
 * with the field's name.
 */
const RULES: Array<[string, Record<string, unknown>, "invalid_redirect_uri" | "invalid_client_metadata", string]> = [
  ["redirect_uris", { redirect_uris: undefined }, "invalid_redirect_uri", "at least one is required"],
  ["redirect_uris", { redirect_uris: "https://rp.example/cb" }, "invalid_client_metadata", "array"],
  ["redirect_uris[0]", { redirect_uris: ["http://rp.example/cb"] }, "invalid_redirect_uri", "loopback"],
  ["redirect_uris[1]", { redirect_uris: [REDIRECT, "https://rp.example/cb#x"] }, "invalid_redirect_uri", "fragment"],
  ["redirect_uris[0]", { redirect_uris: ["/callback"] }, "invalid_redirect_uri", "absolute"],
  ["redirect_uris[0]", { redirect_uris: ["javascript:alert(1)"] }, "invalid_redirect_uri", "not allowed"],
  ["jwks", { token_endpoint_auth_method: "private_key_jwt" }, "invalid_client_metadata", "jwks or jwks_uri"],
  ["token_endpoint_auth_method", { token_endpoint_auth_method: "client_secret_jwt" }, "invalid_client_metadata", "CLIENT_SECRET_KEY"],
  ["token_endpoint_auth_method", { token_endpoint_auth_method: "magic" }, "invalid_client_metadata", "client_secret_basic"],
  ["grant_types", { grant_types: ["implicit"] }, "invalid_client_metadata", "not supported"],
  ["grant_types", { grant_types: ["authorization_code", "urn:ietf:params:oauth:grant-type:token-exchange"] }, "invalid_client_metadata", "operator"],
  ["grant_types", { grant_types: [] }, "invalid_client_metadata", "at least one"],
  ["grant_types", { grant_types: ["refresh_token"], response_types: [] }, "invalid_client_metadata", "needs authorization_code"],
  ["grant_types", { grant_types: ["client_credentials"], token_endpoint_auth_method: "none" }, "invalid_client_metadata", "confidential"],
  ["grant_types", { grant_types: ["client_credentials"], response_types: ["code"] }, "invalid_client_metadata", "§2.1"],
  ["response_types", { response_types: ["code", "token"] }, "invalid_client_metadata", "\"token\" is not supported"],
  ["response_types", { grant_types: ["authorization_code"], response_types: [] }, "invalid_client_metadata", "§2.1"],
  ["scope", { scope: "openid  profile" }, "invalid_client_metadata", "RFC 6749 §3.3"],
  ["scope", { scope: ["openid"] }, "invalid_client_metadata", "string"],
  ["client_name", { client_name: "   " }, "invalid_client_metadata", "empty"],
  ["client_name", { client_name: 42 }, "invalid_client_metadata", "string"],
  ["id_token_signed_response_alg", { id_token_signed_response_alg: "none" }, "invalid_client_metadata", "ES256, RS256"],
  ["jwks", { jwks: { keys: [{ ...EC_PUBLIC, d: "private" }] } }, "invalid_client_metadata", "private key material"],
  ["jwks", { jwks: [EC_PUBLIC] }, "invalid_client_metadata", "JWK Set"],
  ["jwks_uri", { jwks_uri: "http://rp.example/jwks" }, "invalid_client_metadata", "https"],
  ["jwks_uri", { jwks: { keys: [EC_PUBLIC] }, jwks_uri: "https://rp.example/jwks" }, "invalid_client_metadata", "not both"],
  ["post_logout_redirect_uris[0]", { post_logout_redirect_uris: ["http://rp.example/bye"] }, "invalid_client_metadata", "loopback"],
  ["backchannel_logout_uri", { backchannel_logout_uri: "http://rp.example/bc" }, "invalid_client_metadata", "loopback"],
  ["backchannel_logout_uri", { backchannel_logout_uri: "https://rp.example/bc#top" }, "invalid_client_metadata", "fragment"],
  ["backchannel_logout_session_required", { backchannel_logout_session_required: "true" }, "invalid_client_metadata", "true or false"],
  ["frontchannel_logout_uri", { frontchannel_logout_uri: "https://other.example/fc" }, "invalid_client_metadata", "redirect URI"],
  ["frontchannel_logout_uri", { frontchannel_logout_uri: "https://rp.example/fc#x" }, "invalid_client_metadata", "fragment"],
  ["frontchannel_logout_session_required", { frontchannel_logout_session_required: 1 }, "invalid_client_metadata", "true or false"],
  ["client_uri", { client_uri: "http://rp.example/" }, "invalid_client_metadata", "https"],
  ["logo_uri", { logo_uri: "data:image/png;base64,AAAA" }, "invalid_client_metadata", "https"],
  ["contacts", { contacts: "ops@rp.example" }, "invalid_client_metadata", "array"],
  ["application_type", { application_type: "desktop" }, "invalid_client_metadata", "web, native"],
  ["offline_survives_logout", { offline_survives_logout: true }, "invalid_client_metadata", "operator setting"],
  ["token_exchange_audiences", { token_exchange_audiences: ["https://api.example"] }, "invalid_client_metadata", "operator setting"],
];

describe("registration metadata, field by field (RFC 7591 §2, §3.2.2)", () => {
  it.each(RULES)("%s: %j → %s", async (field, change, code, why) => {
    const body = await expectError(await register({ ...BASE, ...change }, token), 400, code, field);
    expect(body.error_description).toContain(why);
  });

  it("registers the logout metadata and hands it to the router (Back-Channel Logout §2.2, Front-Channel Logout §2)", async () => {
    const res = await register(
      {
        ...BASE,
        post_logout_redirect_uris: ["https://rp.example/bye"],
        backchannel_logout_uri: "https://rp.example/backchannel",
        backchannel_logout_session_required: true,
        frontchannel_logout_uri: "https://rp.example/frontchannel",
      },
      token,
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const info = await json<ClientInformation>(res);
    expect(info).toMatchObject({
      post_logout_redirect_uris: ["https://rp.example/bye"],
      backchannel_logout_uri: "https://rp.example/backchannel",
      backchannel_logout_session_required: true,
      frontchannel_logout_uri: "https://rp.example/frontchannel",
      frontchannel_logout_session_required: false,
    });
    expect(await getClient(env, loadConfig(env), info.client_id)).toMatchObject({
      postLogoutRedirectUris: ["https://rp.example/bye"],
      backchannelLogoutUri: "https://rp.example/backchannel",
      backchannelLogoutSessionRequired: true,
      frontchannelLogoutUri: "https://rp.example/frontchannel",
      frontchannelLogoutSessionRequired: false,
    });
  });

  it("keeps jwks (public keys) and descriptive metadata; ignores and does not echo members it does not know (RFC 7591 §2)", async () => {
    const res = await register(
      { ...BASE, jwks: { keys: [EC_PUBLIC] }, client_uri: "https://rp.example/", software_id: "4NRB1-0XZABZI9E6-5SM3R", introspection_signed_response_alg: "RS256", "x-custom": 1 },
      token,
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const info = await json<ClientInformation>(res);
    expect(info).toMatchObject({ jwks: { keys: [EC_PUBLIC] }, client_uri: "https://rp.example/", software_id: "4NRB1-0XZABZI9E6-5SM3R" });
    expect(info).not.toHaveProperty("introspection_signed_response_alg");
    expect(info).not.toHaveProperty("x-custom");
  });

  it("accepts loopback http and reverse-domain custom schemes for native apps (RFC 8252 §7), exactly as given", async () => {
    const uris = ["http://127.0.0.1:49152/cb", "com.example.app:/oauth2redirect"];
    const res = await register({ redirect_uris: uris, token_endpoint_auth_method: "none", application_type: "native", id_token_signed_response_alg: "ES256" }, token);
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await json(res)).toMatchObject({ redirect_uris: uris, application_type: "native", id_token_signed_response_alg: "ES256" });
  });

  it("applies the defaults: code flow, client_secret_basic, scope openid, RS256 ID tokens (OIDC DCR §2), the client id as name", async () => {
    const info = await json<ClientInformation>(await register(BASE, token));
    expect(info).toMatchObject({
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: "openid",
      id_token_signed_response_alg: "RS256",
      client_name: info.client_id,
      post_logout_redirect_uris: [],
      backchannel_logout_session_required: false,
    });
    expect(info).not.toHaveProperty("backchannel_logout_uri");
  });
});
