import { beforeAll, describe, expect, it } from "vitest";
import { admin, call, json } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { bcAuthorize, CIBA_GRANT, cibaClient, cibaRowCount, form, type CibaClient } from "./helpers";

interface ErrorBody {
  error: string;
  error_description: string;
}

/** A refused request: the §13 error code, a JSON body with a description, no-store, never a 500. */
async function refused(res: Response, status: number, error: string): Promise<ErrorBody> {
  const text = await res.clone().text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  const body = await json<ErrorBody>(res);
  expect(body.error, text).toBe(error);
  expect(body.error_description.length).toBeGreaterThan(0);
  return body;
}

/** OpenID CIBA Core 1.0 §7.1 and §13: what /bc-authorize refuses, and that a refusal writes nothing. */
describe("CIBA authentication request errors", () => {
  let poll: CibaClient;
  let ping: CibaClient;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    poll = await cibaClient("poll");
    ping = await cibaClient("ping");
    user = await createUser();
  });

  it("§13 unknown_user_id: no such email or sub, or a hint that names nobody", async () => {
    await refused(await bcAuthorize(poll, { login_hint: "nobody-here@example.com" }), 400, "unknown_user_id");
    await refused(await bcAuthorize(poll, { login_hint: "AAAAAAAAAAAAAAAAAAAAAA" }), 400, "unknown_user_id");
    // Neither an email nor a subject: it cannot name exactly one user.
    await refused(await bcAuthorize(poll, { login_hint: "ada" }), 400, "unknown_user_id");
  });

  it("§7.1: exactly one hint; login_hint_token is refused as unsupported; scope must include openid", async () => {
    await refused(await bcAuthorize(poll, {}), 400, "invalid_request");
    await refused(await bcAuthorize(poll, { login_hint: user.email, id_token_hint: "x.y.z" }), 400, "invalid_request");
    const token = await refused(await bcAuthorize(poll, { login_hint_token: "eyJ..." }), 400, "invalid_request");
    expect(token.error_description).toContain("login_hint_token is not supported");
    await refused(await bcAuthorize(poll, { login_hint: user.email, scope: "profile" }), 400, "invalid_request");
    await refused(await bcAuthorize(poll, { id_token_hint: "not-a-jwt" }), 400, "invalid_request");
    await refused(await bcAuthorize(poll, { login_hint: user.email, request: "eyJhbGciOiJub25lIn0.e30." }), 400, "invalid_request");
    await refused(await bcAuthorize(poll, { login_hint: user.email, requested_expiry: "-5" }), 400, "invalid_request");
    await refused(await bcAuthorize(poll, { login_hint: user.email, requested_expiry: "99999" }), 400, "invalid_request");
  });

  it("§13 invalid_binding_message: too long, or with control characters", async () => {
    await refused(await bcAuthorize(poll, { login_hint: user.email, binding_message: "x".repeat(101) }), 400, "invalid_binding_message");
    await refused(await bcAuthorize(poll, { login_hint: user.email, binding_message: "line\nbreak" }), 400, "invalid_binding_message");
  });

  it("§7.1: ping and push need a client_notification_token", async () => {
    const res = await call("/bc-authorize", form(ping, { scope: "openid", login_hint: user.email }));
    await refused(res, 400, "invalid_request");
  });

  it("§13 unauthorized_client: a client not registered for CIBA; invalid_client without authentication", async () => {
    const plain = await registerClient("confidential");
    await refused(await call("/bc-authorize", form({ clientId: plain.clientId, secret: plain.secret! }, { scope: "openid", login_hint: user.email })), 400, "unauthorized_client");
    await refused(await call("/bc-authorize", form({ clientId: poll.clientId, secret: "wrong-secret" }, { scope: "openid", login_hint: user.email })), 401, "invalid_client");
    // ... and /token with the CIBA grant for such a client.
    await refused(await call("/token", form({ clientId: plain.clientId, secret: plain.secret! }, { grant_type: CIBA_GRANT, auth_req_id: "b.1.x" })), 400, "unauthorized_client");
  });

  it("§13 access_denied: a disabled user", async () => {
    const disabled = await createUser();
    expect((await admin("POST", `/users/${disabled.id}/disable`)).status).toBe(200);
    await refused(await bcAuthorize(poll, { login_hint: disabled.email }), 403, "access_denied");
    expect(await cibaRowCount(disabled.id)).toBe(0);
  });

  it("no refused request writes a row", async () => {
    const fresh = await createUser();
    await bcAuthorize(poll, { login_hint: fresh.email, binding_message: "x".repeat(101) });
    await bcAuthorize(poll, { login_hint: fresh.email, scope: "profile" });
    await bcAuthorize(ping, { login_hint: fresh.email, client_notification_token: "bad token with spaces" });
    expect(await cibaRowCount(fresh.id)).toBe(0);
    // The control: an accepted request writes one.
    expect((await bcAuthorize(poll, { login_hint: fresh.email })).status).toBe(200);
    expect(await cibaRowCount(fresh.id)).toBe(1);
  });

  it("§7.1 id_token_hint: an ID token we issued to this client names its user; issued to another client, it is refused", async () => {
    // The ID token of a first CIBA round trip is the hint for the second.
    const { startCiba, approvalLinkFor, approveAs, poll: pollToken } = await import("./helpers");
    const { TestBrowser } = await import("../helpers/browser");
    const started = await startCiba(poll, { login_hint: user.email });
    await approveAs(new TestBrowser(), await approvalLinkFor(user.id), user, "allow");
    const { id_token } = await json<{ id_token: string }>(await pollToken(poll, started.auth_req_id));
    const again = await bcAuthorize(poll, { id_token_hint: id_token });
    expect(again.status, await again.clone().text()).toBe(200);
    // Issued to another client: refused.
    const other = await cibaClient("poll");
    await refused(await bcAuthorize(other, { id_token_hint: id_token }), 400, "invalid_request");
  });
});

/** CIBA Core §4: registration refuses settings it cannot honour. */
describe("CIBA client registration", () => {
  const base = { client_name: "CIBA app", client_type: "confidential", redirect_uris: ["https://app.example/cb"], grant_types: [CIBA_GRANT] };

  it("operator API: a mode is required, ping/push need an https endpoint, unknown modes and user codes are refused", async () => {
    const put = (body: Record<string, unknown>) => admin("PUT", `/clients/ciba-reg-${crypto.randomUUID().slice(0, 8)}`, { ...base, ...body });
    expect((await put({})).status).toBe(400);
    expect((await put({ backchannel_token_delivery_mode: "carrier-pigeon" })).status).toBe(400);
    expect((await put({ backchannel_token_delivery_mode: "ping" })).status).toBe(400);
    expect((await put({ backchannel_token_delivery_mode: "push", backchannel_client_notification_endpoint: "http://app.example/n" })).status).toBe(400);
    expect((await put({ backchannel_token_delivery_mode: "poll", backchannel_user_code_parameter: true })).status).toBe(400);
    expect((await put({ client_type: "public", token_endpoint_auth_method: "none", backchannel_token_delivery_mode: "poll" })).status).toBe(400);
    const ok = await put({ backchannel_token_delivery_mode: "push", backchannel_client_notification_endpoint: "https://app.example/n" });
    expect(ok.status, await ok.clone().text()).toBe(201);
    expect((await json<{ client: unknown }>(ok)).client).toMatchObject({ backchannel_token_delivery_mode: "push", backchannel_client_notification_endpoint: "https://app.example/n" });
  });

  it("dynamic registration (RFC 7591): accepts the CIBA members, refuses a signing alg for authentication requests", async () => {
    const token = await json<{ initial_access_token: string }>(await admin("POST", "/registration-tokens", { grant_types: [CIBA_GRANT, "refresh_token"], scope: "openid profile", max_uses: 5 }));
    const register = (body: Record<string, unknown>) =>
      call("/register", { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token.initial_access_token}` }, body: JSON.stringify({ grant_types: [CIBA_GRANT], scope: "openid", ...body }) });
    const accepted = await register({ backchannel_token_delivery_mode: "ping", backchannel_client_notification_endpoint: "https://app.example/ping" });
    expect(accepted.status, await accepted.clone().text()).toBe(201);
    expect(await json(accepted)).toMatchObject({ backchannel_token_delivery_mode: "ping", backchannel_client_notification_endpoint: "https://app.example/ping", grant_types: [CIBA_GRANT] });
    const signed = await register({ backchannel_token_delivery_mode: "poll", backchannel_authentication_request_signing_alg: "ES256" });
    expect(signed.status).toBe(400);
    expect((await json(signed)).error).toBe("invalid_client_metadata");
    expect((await register({ backchannel_token_delivery_mode: "ping" })).status).toBe(400);
  });

  it("discovery advertises the endpoint, the three modes, no user code, and the grant type (§4)", async () => {
    const metadata = await json(await call("/.well-known/openid-configuration"));
    expect(metadata).toMatchObject({
      backchannel_authentication_endpoint: "http://127.0.0.1:8787/bc-authorize",
      backchannel_token_delivery_modes_supported: ["poll", "ping", "push"],
      backchannel_user_code_parameter_supported: false,
    });
    expect(metadata.grant_types_supported).toContain(CIBA_GRANT);
    expect(metadata).not.toHaveProperty("backchannel_authentication_request_signing_alg_values_supported");
  });
});
