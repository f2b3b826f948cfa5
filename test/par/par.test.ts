import * as oauth from "oauth4webapi";
import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { UserShardActor } from "../../src/actors/user-shard/actor";
import { stubFor } from "../../src/shard/stub";
import { expectError } from "../clients/helpers";
import { envWith, sender } from "../degradation/outage";
import { deliverAudit } from "../helpers/audit";
import { TestBrowser } from "../helpers/browser";
import { call, json } from "../helpers/http";
import { authorizeUrl, createUser, discover, REDIRECT_URI, signIn } from "../helpers/oidc";
import { editPushedRow, parClient, push, pushed, pushedCount, pushedRow, requestParams, rp, type ParClient } from "./helpers";

/** An /authorize that the request_uri cannot serve: an HTML page, never a redirect (RFC 9126 §4, RFC 9101 §6.2). */
async function expectRequestUriPage(res: Response): Promise<void> {
  expect(res.status).toBe(400);
  expect(res.headers.get("location")).toBeNull();
  expect(res.headers.get("content-type")).toContain("text/html");
  expect(await res.text()).toContain("request_uri");
}

describe.each([["confidential", "confidential" as const], ["public", "public" as const]])("pushed authorization requests, %s client (RFC 9126)", (_l, type) => {
  let as: oauth.AuthorizationServer;
  let client: ParClient;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    as = await discover();
    client = await parClient(type);
    user = await createUser();
  });

  it("§2, §4: push, then /authorize with client_id and request_uri signs the user in; the code redeems for tokens", async () => {
    const { params, verifier } = await requestParams(client);
    const c = { client_id: client.clientId };
    const res = await oauth.pushedAuthorizationRequest(as, c, client.auth, params, rp);
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const par = await oauth.processPushedAuthorizationResponse(as, c, res);
    // §2.2: a URN reference, and its lifetime (PAR_TTL_S, 60 by default).
    expect(par.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:p\.\d{1,4}\.[A-Za-z0-9_-]{43}$/);
    expect(par.expires_in).toBe(60);

    // The request must survive this browser's login and consent round trip.
    const callback = await signIn(new TestBrowser(), { client_id: client.clientId, request_uri: par.request_uri }, user);
    const validated = oauth.validateAuthResponse(as, c, callback, params.state);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      c,
      await oauth.authorizationCodeGrantRequest(as, c, client.auth, validated, REDIRECT_URI, verifier, rp),
      { expectedNonce: params.nonce, requireIdToken: true },
    );
    expect(oauth.getValidatedIdTokenClaims(tokens)!.sub).toBe(user.id);
  });
});

describe("PAR: what is stored and what /authorize uses", () => {
  let client: ParClient;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    client = await parClient("confidential");
    user = await createUser();
  });

  it("discovery names the endpoint and whether pushing is required (§5)", async () => {
    const metadata = await json(await call("/.well-known/openid-configuration"));
    expect(metadata.pushed_authorization_request_endpoint).toBe("http://127.0.0.1:8787/par");
    expect(metadata.require_pushed_authorization_requests).toBe(false);
  });

  it("stores only a hash of the request_uri, in the bucket it carries, with every pushed parameter (unknown ones too); the sweep drops it once expired", async () => {
    const { params } = await requestParams(client, { dpop_jkt: "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I" });
    const par = await pushed(client, params);
    const { shard, hash, row } = await pushedRow(par.request_uri);
    expect(row).toMatchObject({ request_hash: hash, bucket: Number(par.request_uri.split(":").pop()!.split(".")[1]), client_id: client.clientId, used_at: null });
    expect(JSON.parse(String(row!.params))).toMatchObject({ ...params, client_id: client.clientId });
    expect(JSON.stringify(row)).not.toContain(par.request_uri.split(".").pop());
    // Client credentials are not part of the request.
    expect(JSON.parse(String(row!.params))).not.toHaveProperty("client_secret");

    await editPushedRow(par.request_uri, "expires_at = ?", Date.now() - 1);
    await runInDurableObject(stubFor(env, shard) as DurableObjectStub<UserShardActor>, (instance) => void instance.sweep());
    expect((await pushedRow(par.request_uri)).row).toBeUndefined();
  });

  it("§4: the query's other parameters are ignored; the pushed ones are used (state, scope)", async () => {
    const { params } = await requestParams(client, { state: "pushed-state" });
    const par = await pushed(client, params);
    const callback = await signIn(
      new TestBrowser(),
      { client_id: client.clientId, request_uri: par.request_uri, state: "query-state", scope: "openid email", redirect_uri: "https://evil.example/cb" },
      user,
    );
    expect(callback.get("state")).toBe("pushed-state");
    expect(callback.get("code")).toMatch(/^c\./);
  });

  it("§4 single use: of two /authorize racing with one request_uri exactly one proceeds; a later one gets a page", async () => {
    const { params } = await requestParams(client);
    const par = await pushed(client, params);
    const url = authorizeUrl({ client_id: client.clientId, request_uri: par.request_uri });
    const racers = await Promise.all([new TestBrowser().get(url), new TestBrowser().get(url)]);
    expect(racers.map((r) => r.status).sort()).toEqual([200, 400]);
    const winner = racers.find((r) => r.status === 200)!;
    expect(await winner.text()).toContain('action="login"');
    await expectRequestUriPage(racers.find((r) => r.status === 400)!);
    await expectRequestUriPage(await new TestBrowser().get(url));
    const { shard, row } = await pushedRow(par.request_uri);
    expect(row!.used_at).toBeTypeOf("number");
    // Each presentation after the use is an audit event of the request's bucket (delivered
    // now, or already by the shard's own flush alarm: either way it reaches the D1 window).
    await deliverAudit(shard);
    const reused = () => env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE type = 'par.reused' AND client_id = ? AND bucket = ?").bind(client.clientId, row!.bucket).first<{ n: number }>();
    await vi.waitFor(async () => expect((await reused())!.n).toBe(2), { timeout: 5_000 });
  });

  it("§4: an expired request_uri gets a page, not a redirect", async () => {
    const { params } = await requestParams(client);
    const par = await pushed(client, params);
    await editPushedRow(par.request_uri, "expires_at = ?", Date.now() - 1);
    await expectRequestUriPage(await new TestBrowser().get(authorizeUrl({ client_id: client.clientId, request_uri: par.request_uri })));
  });

  it("§4: a request_uri not issued here, or without client_id, is refused on a page; one by reference (RFC 9101) is request_uri_not_supported", async () => {
    await expectRequestUriPage(await call(authorizeUrl({ client_id: client.clientId, request_uri: "urn:ietf:params:oauth:request_uri:nope" })));
    // Not a pushed request's: request objects by reference are not fetched, and the client is told so at its redirect URI.
    const byReference = await call(authorizeUrl({ client_id: client.clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", request_uri: "https://rp.example/request.jwt" }));
    expect(byReference.status).toBe(302);
    expect(new URL(byReference.headers.get("location")!).searchParams.get("error")).toBe("request_uri_not_supported");
    const par = await pushed(client, (await requestParams(client)).params);
    const res = await call(authorizeUrl({ request_uri: par.request_uri }));
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
  });

  it("§4: pushed by client A, presented with client B's client_id: refused, and A can still use it", async () => {
    const other = await parClient("public");
    const { params } = await requestParams(client);
    const par = await pushed(client, params);
    await expectRequestUriPage(await new TestBrowser().get(authorizeUrl({ client_id: other.clientId, request_uri: par.request_uri })));
    const callback = await signIn(new TestBrowser(), { client_id: client.clientId, request_uri: par.request_uri }, user);
    expect(callback.get("code")).toMatch(/^c\./);
  });
});

describe("PAR: refusals at push time are JSON errors and store nothing (§2.3)", () => {
  let client: ParClient;
  beforeAll(async () => {
    // Basic authentication, so that the body's client_id is the test's to choose.
    client = await parClient("confidential");
  });

  it.each([
    ["§2.1: a request_uri inside the push", { request_uri: "urn:ietf:params:oauth:request_uri:p.1.x" }, "invalid_request", "request_uri"],
    ["an unknown scope", { scope: "openid admin" }, "invalid_scope", "admin"],
    ["a scope the client may not use", { scope: "openid offline_access" }, "invalid_scope", "offline_access"],
    ["an unregistered redirect_uri", { redirect_uri: "https://evil.example/cb" }, "invalid_request", "redirect_uri"],
    ["a public client without PKCE", { code_challenge: "", code_challenge_method: "" }, "invalid_request", "code_challenge"],
    ["an implicit response_type", { response_type: "token" }, "unsupported_response_type", "response_type"],
    ["an unsigned request object (RFC 9101 §6.1)", { request: "eyJhbGciOiJub25lIn0.e30." }, "invalid_request_object", "request object"],
    ["another client's client_id", { client_id: "someone-else" }, "invalid_request", "client_id"],
  ])("%s", async (_label, overrides, error, mentions) => {
    const restricted = await parClient("public", { scope: "openid profile" });
    const target = "client_id" in overrides ? client : restricted;
    const { params } = await requestParams(target, overrides);
    const clean = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== ""));
    const before = await pushedCount();
    const res = await push(target, clean);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("location")).toBeNull();
    await expectError(res, 400, error, mentions);
    expect(await pushedCount()).toBe(before);
  });

  it("a confidential client that fails authentication gets invalid_client (401), as at /token", async () => {
    const confidential = await parClient("confidential");
    const res = await push({ ...confidential, secret: "wrong-secret" }, (await requestParams(confidential)).params);
    await expectError(res, 401, "invalid_client");
  });
});

describe("PAR required (§6 per client, REQUIRE_PAR provider-wide)", () => {
  let user: Awaited<ReturnType<typeof createUser>>;
  beforeAll(async () => {
    user = await createUser();
  });

  it("require_pushed_authorization_requests: a plain /authorize goes back as invalid_request; a pushed one works", async () => {
    const strict = await parClient("confidential", { require_pushed_authorization_requests: true });
    const { params } = await requestParams(strict);
    const plain = await call(authorizeUrl({ ...params, client_id: strict.clientId }));
    expect(plain.status).toBe(302);
    const answer = new URL(plain.headers.get("location")!).searchParams;
    expect(answer.get("error")).toBe("invalid_request");
    expect(answer.get("state")).toBe(params.state);
    const par = await pushed(strict, params);
    expect((await signIn(new TestBrowser(), { client_id: strict.clientId, request_uri: par.request_uri }, user)).get("code")).toMatch(/^c\./);
  });

  it("REQUIRE_PAR=on: every client must push, and discovery says so", async () => {
    const send = sender(envWith({ REQUIRE_PAR: "on" }));
    expect((await json(await send("/.well-known/openid-configuration"))).require_pushed_authorization_requests).toBe(true);
    const relaxed = await parClient("public");
    const { params } = await requestParams(relaxed);
    const plain = await send(authorizeUrl({ ...params, client_id: relaxed.clientId }));
    expect(new URL(plain.headers.get("location")!).searchParams.get("error")).toBe("invalid_request");
    const par = await pushed(relaxed, params, send);
    const callback = await signIn(new TestBrowser(send), { client_id: relaxed.clientId, request_uri: par.request_uri }, user);
    expect(callback.get("code")).toMatch(/^c\./);
  });
});
