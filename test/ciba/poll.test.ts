import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { call, json } from "../helpers/http";
import { createUser } from "../helpers/oidc";
import { approvalLinkFor, approveAs, cibaClient, editCibaRow, form, poll, pollError, startCiba, type CibaClient } from "./helpers";

interface Tokens {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  scope: string;
}

/** OpenID CIBA Core 1.0, poll mode (§5, §7, §10.1, §11), driven as a client and a person would. */
describe("CIBA poll mode", () => {
  let client: CibaClient;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    client = await cibaClient("poll");
    user = await createUser();
  });

  it("§7.3: answers auth_req_id (with the user's bucket), expires_in and interval", async () => {
    const started = await startCiba(client, { login_hint: user.email, binding_message: "W4SCT" });
    expect(started.auth_req_id).toMatch(/^b\.\d{1,4}\.[A-Za-z0-9_-]{43}$/);
    expect(started.expires_in).toBe(300);
    expect(started.interval).toBe(5);
  });

  it("pending → slow_down → approval → tokens exactly once; the next poll is invalid_grant (§10.1, §11)", async () => {
    const started = await startCiba(client, { login_hint: user.email, binding_message: "Order 42" });
    expect(await pollError(client, started.auth_req_id)).toBe("authorization_pending");
    // §11 slow_down: polled again at once, sooner than the interval.
    expect(await pollError(client, started.auth_req_id)).toBe("slow_down");

    const link = await approvalLinkFor(user.id);
    const done = await approveAs(new TestBrowser(), link, user, "allow");
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("Sign-in confirmed");

    const res = await poll(client, started.auth_req_id);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const tokens = await json<Tokens>(res);
    expect(decodeJwt(tokens.access_token).sub).toBe(user.id);
    const id = decodeJwt(tokens.id_token!);
    expect(id).toMatchObject({ sub: user.id, aud: client.clientId });
    expect(tokens.scope).toBe("openid profile offline_access");
    expect(tokens.refresh_token).toMatch(/^r\.\d+\./);

    // The grant approval wrote stands behind the tokens: /userinfo and the refresh family work.
    const info = await call("/userinfo", { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(info.status).toBe(200);
    const refreshed = await call("/token", form(client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token! }));
    expect(refreshed.status, await refreshed.clone().text()).toBe(200);

    expect(await pollError(client, started.auth_req_id)).toBe("invalid_grant");
  });

  it("20 polls racing after approval: exactly one token set, the others invalid_grant (§10.1)", async () => {
    const started = await startCiba(client, { login_hint: user.id });
    await approveAs(new TestBrowser(), await approvalLinkFor(user.id), user, "allow");
    const answers = await Promise.all(Array.from({ length: 20 }, () => poll(client, started.auth_req_id)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    const errors = await Promise.all(answers.filter((r) => r.status !== 200).map((r) => json<{ error: string }>(r)));
    expect(new Set(errors.map((e) => e.error))).toEqual(new Set(["invalid_grant"]));
  });

  it("denial: the poll answers access_denied (§11)", async () => {
    const started = await startCiba(client, { login_hint: user.email });
    const done = await approveAs(new TestBrowser(), await approvalLinkFor(user.id), user, "deny");
    expect(await done.text()).toContain("Request denied");
    expect(await pollError(client, started.auth_req_id)).toBe("access_denied");
  });

  it("an expired request answers expired_token (§11)", async () => {
    const started = await startCiba(client, { login_hint: user.email });
    await editCibaRow(user.id, started.auth_req_id, "expires_at = ?", Date.now() - 1);
    expect(await pollError(client, started.auth_req_id)).toBe("expired_token");
  });

  it("another client's auth_req_id, or one that is not ours, is invalid_grant (§11)", async () => {
    const other = await cibaClient("poll");
    const started = await startCiba(client, { login_hint: user.email });
    expect(await pollError(other, started.auth_req_id)).toBe("invalid_grant");
    expect(await pollError(client, "b.12.not-an-id")).toBe("invalid_grant");
    // The owner's request is untouched by the other client's attempt.
    expect(await pollError(client, started.auth_req_id)).toBe("authorization_pending");
  });

  it("the user the request names must be the one who approves (§8)", async () => {
    const started = await startCiba(client, { login_hint: user.email });
    const link = await approvalLinkFor(user.id);
    const stranger = await createUser();
    const browser = new TestBrowser();
    const opened = await browser.get(link);
    const html = await opened.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const request = /name="request" value="([^"]+)"/.exec(html)![1]!;
    const signedIn = await browser.post("/ciba", { csrf, request, step: "login", email: stranger.email, password: stranger.password });
    expect(signedIn.status).toBe(403);
    expect(await signedIn.text()).toContain("another account");
    expect(await pollError(client, started.auth_req_id)).toBe("authorization_pending");
  });
});
