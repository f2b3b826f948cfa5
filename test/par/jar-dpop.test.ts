import * as oauth from "oauth4webapi";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { call, json, ORIGIN } from "../helpers/http";
import { createUser, REDIRECT_URI, registerClient, signIn } from "../helpers/oidc";
import { CLIENT_ASSERTION_TYPE, clientAssertion, keyPair, signed, type KeyPair } from "../jwt-assertions/helpers";
import { pushedCount, pushedRow } from "./helpers";

/** POST /par as a private_key_jwt client (RFC 7523 §2.2), with extra headers (DPoP). */
async function pushAs(key: KeyPair, clientId: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  const body = new URLSearchParams({ ...fields, client_id: clientId, client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await clientAssertion(key, clientId) });
  return call("/par", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers }, body: body.toString() });
}

/** A DPoP proof for POST /par (RFC 9449 §4.2). */
async function parProof(): Promise<{ proof: string; jkt: string }> {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const jwk = await exportJWK(publicKey);
  const proof = await new SignJWT({ jti: crypto.randomUUID(), htm: "POST", htu: `${ORIGIN}/par`, iat: Math.floor(Date.now() / 1000) })
    .setProtectedHeader({ typ: "dpop+jwt", alg: "ES256", jwk })
    .sign(privateKey);
  return { proof, jkt: await calculateJwkThumbprint(jwk) };
}

describe("PAR with request objects (RFC 9126 §3, RFC 9101) and DPoP (RFC 9449 §10.1)", () => {
  let key: KeyPair;
  let clientId: string;
  let strictId: string;
  let verifier: string;
  const registration = (key: KeyPair) => ({ token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [key.publicJwk] }, grant_types: ["authorization_code"], scope: "openid profile" });

  beforeAll(async () => {
    key = await keyPair();
    clientId = (await registerClient("confidential", registration(key))).clientId;
    strictId = (await registerClient("confidential", { ...registration(key), require_signed_request_object: true })).clientId;
    verifier = oauth.generateRandomCodeVerifier();
  });

  const requestObject = async (client: string, claims: Record<string, unknown> = {}) =>
    signed(key, {
      iss: client,
      aud: ORIGIN,
      client_id: client,
      response_type: "code",
      redirect_uri: REDIRECT_URI,
      scope: "openid profile",
      state: "from-object",
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      ...claims,
    }, { typ: "oauth-authz-req+jwt" });

  it("RFC 9126 §3: a pushed request object's parameters are the request; the form's others are not used", async () => {
    const res = await pushAs(key, clientId, { request: await requestObject(clientId), state: "from-form", scope: "openid" });
    expect(res.status, await res.clone().text()).toBe(201);
    const { request_uri } = await json<{ request_uri: string }>(res);
    const params = JSON.parse(String((await pushedRow(request_uri)).row?.params)) as Record<string, string>;
    expect(params.state).toBe("from-object");
    expect(params.scope).toBe("openid profile");
    expect(params).not.toHaveProperty("request");
    // ...and /authorize with the request_uri answers with the object's state.
    const answer = await signIn(new TestBrowser(), { client_id: clientId, request_uri }, await createUser());
    expect(answer.get("state")).toBe("from-object");
    expect(answer.get("code")).toMatch(/^c\./);
  });

  it("RFC 9101 §6: an unsigned or tampered request object is refused at the push as JSON, and nothing is stored", async () => {
    const before = await pushedCount();
    const unsigned = `${btoa(JSON.stringify({ alg: "none" })).replace(/=+$/, "")}.${btoa(JSON.stringify({ iss: clientId, client_id: clientId })).replace(/=+$/, "")}.`;
    const good = await requestObject(clientId);
    const [h, , s] = good.split(".");
    const tampered = `${h}.${btoa(JSON.stringify({ iss: clientId, client_id: clientId, scope: "openid profile email" })).replace(/=+$/, "")}.${s}`;
    for (const request of [unsigned, tampered]) {
      const res = await pushAs(key, clientId, { request });
      expect(res.status, await res.clone().text()).toBe(400);
      expect(res.headers.get("location")).toBeNull();
      expect((await json(res)).error).toBe("invalid_request_object");
    }
    expect(await pushedCount()).toBe(before);
  });

  it("RFC 9101 §10.5: a client registered with require_signed_request_object must push one", async () => {
    const plain = { redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256" };
    const refused = await pushAs(key, strictId, plain);
    expect(refused.status).toBe(400);
    expect((await json(refused)).error_description).toContain("signed request object");
    expect((await pushAs(key, strictId, { request: await requestObject(strictId) })).status).toBe(201);
  });

  it("RFC 9449 §10.1: a DPoP proof at the push binds the code to its key (dpop_jkt); a dpop_jkt naming another key is refused", async () => {
    const { proof, jkt } = await parProof();
    const res = await pushAs(key, clientId, { request: await requestObject(clientId) }, { DPoP: proof });
    expect(res.status, await res.clone().text()).toBe(201);
    const { request_uri } = await json<{ request_uri: string }>(res);
    const params = JSON.parse(String((await pushedRow(request_uri)).row?.params)) as Record<string, string>;
    expect(params.dpop_jkt).toBe(jkt);

    const before = await pushedCount();
    const other = await parProof();
    const mismatch = await pushAs(key, clientId, { request: await requestObject(clientId, { dpop_jkt: jkt }) }, { DPoP: other.proof });
    expect(mismatch.status).toBe(400);
    expect((await json(mismatch)).error).toBe("invalid_dpop_proof");
    expect(await pushedCount()).toBe(before);
  });

  it("RFC 9449 §11.1: a proof sent with one push cannot be sent with another", async () => {
    const { proof } = await parProof();
    expect((await pushAs(key, clientId, { request: await requestObject(clientId) }, { DPoP: proof })).status).toBe(201);
    const before = await pushedCount();
    const replay = await pushAs(key, clientId, { request: await requestObject(clientId) }, { DPoP: proof });
    expect(replay.status).toBe(400);
    expect(await json(replay)).toMatchObject({ error: "invalid_dpop_proof", error_description: "DPoP proof jti already used" });
    expect(await pushedCount()).toBe(before);
  });
});
