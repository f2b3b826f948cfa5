import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { getClient } from "../../src/router/clients/registry";
import { admin, json } from "../helpers/http";
import { config, expectError, putClient, type ClientResponse } from "./helpers";

const WEB = { client_name: "Web app", client_type: "confidential", redirect_uris: ["https://app.example/cb"] };
const EC_PUBLIC = { kty: "EC", crv: "P-256", x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", kid: "k1" };

/**
 * The logout metadata of OIDC Back-Channel Logout 1.0 §2.2 and Front-Channel Logout 1.0 §2,
 * and the client's keys (RFC 7591 §2), through the operator API: stored, shown, and
 * handed to the router's logout code on the registered client.
 */
describe("operator API: logout metadata and keys", () => {
  it("stores the four logout members and exposes them on the registered client", async () => {
    const created = await putClient("logout-meta", {
      ...WEB,
      backchannel_logout_uri: "https://app.example/backchannel?tenant=a",
      backchannel_logout_session_required: true,
      frontchannel_logout_uri: "https://app.example/frontchannel",
      frontchannel_logout_session_required: true,
      jwks_uri: "https://app.example/jwks.json",
    });
    expect(created.client).toMatchObject({
      backchannel_logout_uri: "https://app.example/backchannel?tenant=a",
      backchannel_logout_session_required: true,
      frontchannel_logout_uri: "https://app.example/frontchannel",
      frontchannel_logout_session_required: true,
      jwks: null,
      jwks_uri: "https://app.example/jwks.json",
      registered_dynamically: false,
      initial_access_token_id: null,
    });
    const client = await getClient(env, config, "logout-meta");
    expect(client).toMatchObject({
      backchannelLogoutUri: "https://app.example/backchannel?tenant=a",
      backchannelLogoutSessionRequired: true,
      frontchannelLogoutUri: "https://app.example/frontchannel",
      frontchannelLogoutSessionRequired: true,
    });
  });

  it("defaults to no logout URIs and no sid requirement; a PUT without them removes them", async () => {
    await putClient("logout-defaults", { ...WEB, backchannel_logout_uri: "https://app.example/bc", jwks: { keys: [EC_PUBLIC] } });
    const replaced = await putClient("logout-defaults", WEB, 200);
    expect(replaced.client).toMatchObject({ backchannel_logout_uri: null, backchannel_logout_session_required: false, frontchannel_logout_uri: null, jwks: null });
    expect(await getClient(env, config, "logout-defaults")).toMatchObject({ backchannelLogoutUri: null, frontchannelLogoutUri: null });
  });

  it("accepts http logout URIs on loopback hosts only, for development", async () => {
    const local = { ...WEB, redirect_uris: ["http://127.0.0.1:3000/cb"], backchannel_logout_uri: "http://localhost:3000/bc", frontchannel_logout_uri: "http://127.0.0.1:3000/fc" };
    expect((await putClient("logout-loopback", local)).client.backchannel_logout_uri).toBe("http://localhost:3000/bc");
  });

  it("keeps a public JWK Set", async () => {
    const created = await putClient("keys-jwks", { ...WEB, jwks: { keys: [EC_PUBLIC] } });
    expect(created.client.jwks).toEqual({ keys: [EC_PUBLIC] });
    const read = await json<ClientResponse>(await admin("GET", "/clients/keys-jwks"));
    expect(read.client.jwks).toEqual({ keys: [EC_PUBLIC] });
  });

  it.each([
    ["backchannel_logout_uri", { backchannel_logout_uri: "http://app.example/bc" }, "loopback"],
    ["backchannel_logout_uri", { backchannel_logout_uri: "https://app.example/bc#frag" }, "fragment"],
    ["backchannel_logout_uri", { backchannel_logout_uri: "com.example.app:/bc" }, "https"],
    ["backchannel_logout_session_required", { backchannel_logout_session_required: "yes" }, ""],
    ["frontchannel_logout_uri", { frontchannel_logout_uri: "https://elsewhere.example/fc" }, "redirect URI"],
    ["frontchannel_logout_uri", { frontchannel_logout_uri: "not a uri" }, "absolute"],
    ["jwks", { jwks: { keys: [{ ...EC_PUBLIC, d: "private-part" }] } }, "private key material"],
    ["jwks", { jwks: { keys: [{ kty: "oct", k: "c2VjcmV0" }] } }, "not a public key type"],
    ["jwks_uri", { jwks_uri: "http://app.example/jwks.json" }, "https"],
    ["jwks_uri", { jwks: { keys: [EC_PUBLIC] }, jwks_uri: "https://app.example/jwks.json" }, "not both"],
  ])("refuses %s (%j) with a message naming it", async (field, extra, why) => {
    const body = await expectError(await admin("PUT", "/clients/logout-invalid", { ...WEB, ...extra }), 400, "invalid_request", field);
    expect(body.error_description).toContain(why);
    await expectError(await admin("GET", "/clients/logout-invalid"), 404, "not_found");
  });
});
