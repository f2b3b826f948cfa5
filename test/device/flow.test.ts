import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { call, json } from "../helpers/http";
import { createUser } from "../helpers/oidc";
import { deviceClient, form, poll, pollError, startDevice, visitAndDecide, type DeviceClient } from "./helpers";

interface Tokens {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  token_type: string;
  scope: string;
}

/**
 * The device authorization grant end to end (RFC 8628): device request (§3.1, §3.2),
 * the person at the verification URI (§3.3), polling /token (§3.4, §3.5).
 */
describe.each([["confidential", "confidential" as const], ["public", "public" as const]])("device authorization, %s client", (_label, type) => {
  let client: DeviceClient;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    client = await deviceClient(type);
    user = await createUser();
  });

  it("§3.2: answers with a device code, an 8-character user code and the verification URIs", async () => {
    const auth = await startDevice(client);
    expect(auth.device_code).toMatch(/^d\.\d{1,4}\.[A-Za-z0-9_-]{43}$/);
    // §6.1: 8 characters of BCDFGHJKLMNPQRSTVWXZ, shown with a dash.
    expect(auth.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(auth.verification_uri).toBe("http://127.0.0.1:8787/device");
    expect(auth.verification_uri_complete).toBe(`http://127.0.0.1:8787/device?user_code=${auth.user_code}`);
    expect(auth.expires_in).toBe(600);
    expect(auth.interval).toBe(5);
  });

  it("sign-in, approval, then exactly one poll gets tokens; the next is invalid_grant (§3.4, §3.5)", async () => {
    const auth = await startDevice(client);
    expect(await pollError(client, auth.device_code)).toBe("authorization_pending");

    const done = await visitAndDecide(new TestBrowser(), auth, user, "allow");
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("Device connected");

    const res = await poll(client, auth.device_code);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const tokens = await json<Tokens>(res);
    expect(decodeJwt(tokens.access_token).sub).toBe(user.id);
    const id = decodeJwt(tokens.id_token!);
    expect(id.sub).toBe(user.id);
    expect(id.aud).toBe(client.clientId);
    expect(tokens.scope).toBe("openid profile offline_access");
    expect(tokens.refresh_token).toMatch(/^r\.\d+\./);

    // The access token is live at /userinfo: the grant written at approval stands behind it.
    const info = await call("/userinfo", { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(info.status).toBe(200);
    expect((await json(info)).sub).toBe(user.id);

    // The refresh family works like a code redemption's.
    const refreshed = await call("/token", form(client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token! }));
    expect(refreshed.status, await refreshed.clone().text()).toBe(200);

    expect(await pollError(client, auth.device_code)).toBe("invalid_grant");
  });

  it("a person already signed in goes straight to the approval", async () => {
    const browser = new TestBrowser();
    await visitAndDecide(browser, await startDevice(client), user, "allow");
    const second = await startDevice(client);
    const opened = await (await browser.get(second.verification_uri_complete)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(opened)![1]!;
    const page = await (await browser.post("/device", { csrf, user_code: second.user_code.toLowerCase() })).text();
    expect(page).toContain(user.email);
    expect(page).toContain('name="decision" value="allow"');
  });
});
