import { beforeAll, describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { call, json } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { DEVICE_GRANT, deviceClient, editDeviceRow, form, poll, pollError, startDevice, visitAndDecide, type DeviceClient } from "./helpers";

/** RFC 8628 §3.4 and §3.5: what a polling device is told, and that a device code is redeemed once. */
describe("device code polling", () => {
  let client: DeviceClient;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    client = await deviceClient("confidential");
    user = await createUser();
  });

  it("§3.5: authorization_pending while the user has not decided", async () => {
    const auth = await startDevice(client);
    expect(await pollError(client, auth.device_code)).toBe("authorization_pending");
    // A poll one interval later is still merely pending.
    await editDeviceRow(auth.device_code, "last_polled_at = last_polled_at - 5000");
    expect(await pollError(client, auth.device_code)).toBe("authorization_pending");
  });

  it("§3.5: slow_down when polling faster than the interval, and the interval grows by 5 seconds", async () => {
    const auth = await startDevice(client);
    expect(await pollError(client, auth.device_code)).toBe("authorization_pending");
    expect(await pollError(client, auth.device_code)).toBe("slow_down");
    // 7 s later would be fine at the original 5 s interval; after slow_down it must be 10 s.
    await editDeviceRow(auth.device_code, "last_polled_at = last_polled_at - 7000");
    expect(await pollError(client, auth.device_code)).toBe("slow_down");
    // Now 15 s: 16 s later the device may poll again.
    await editDeviceRow(auth.device_code, "last_polled_at = last_polled_at - 16000");
    expect(await pollError(client, auth.device_code)).toBe("authorization_pending");
  });

  it("§3.5: access_denied once the user denied, and it stays denied", async () => {
    const auth = await startDevice(client);
    const done = await visitAndDecide(new TestBrowser(), auth, user, "deny");
    expect(await done.text()).toContain("Request denied");
    expect(await pollError(client, auth.device_code)).toBe("access_denied");
    await editDeviceRow(auth.device_code, "last_polled_at = NULL");
    expect(await pollError(client, auth.device_code)).toBe("access_denied");
  });

  it("§3.5: expired_token after expires_in, even if it had been approved", async () => {
    const auth = await startDevice(client);
    await visitAndDecide(new TestBrowser(), auth, user, "allow");
    await editDeviceRow(auth.device_code, "expires_at = ?", Date.now() - 1);
    expect(await pollError(client, auth.device_code)).toBe("expired_token");
  });

  it("racing polls after approval: exactly one gets tokens, the others invalid_grant", async () => {
    const auth = await startDevice(client);
    await visitAndDecide(new TestBrowser(), auth, user, "allow");
    const answers = await Promise.all(Array.from({ length: 6 }, () => poll(client, auth.device_code)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 400, 400, 400, 400, 400]);
    for (const r of answers.filter((a) => a.status === 400)) expect((await json(r)).error).toBe("invalid_grant");
  });

  it("a device code is redeemed only by the client it was issued to", async () => {
    const other = await deviceClient("public");
    const auth = await startDevice(client);
    await visitAndDecide(new TestBrowser(), auth, user, "allow");
    expect(await pollError(other, auth.device_code)).toBe("invalid_grant");
    expect((await poll(client, auth.device_code)).status).toBe(200);
  });

  it("a malformed or unknown device code is invalid_grant, not a server error", async () => {
    expect(await pollError(client, "not-a-device-code")).toBe("invalid_grant");
    expect(await pollError(client, `d.12.${"A".repeat(43)}`)).toBe("invalid_grant");
    const res = await call("/token", form(client, { grant_type: DEVICE_GRANT }));
    expect(res.status).toBe(400);
    expect((await json(res)).error).toBe("invalid_request");
  });

  it("§3.1: a client without the device grant registered is unauthorized_client", async () => {
    const codeOnly = await registerClient("public");
    const res = await call("/device_authorization", form(codeOnly, { scope: "openid" }));
    expect(res.status).toBe(400);
    expect((await json(res)).error).toBe("unauthorized_client");
    const badScope = await call("/device_authorization", form(client, { scope: "openid admin" }));
    expect(badScope.status).toBe(400);
    expect((await json(badScope)).error).toBe("invalid_scope");
  });

  it("RFC 8628 §4: discovery names the endpoint and the grant type", async () => {
    const metadata = await json<{ device_authorization_endpoint: string; grant_types_supported: string[] }>(await call("/.well-known/openid-configuration"));
    expect(metadata.device_authorization_endpoint).toBe("http://127.0.0.1:8787/device_authorization");
    expect(metadata.grant_types_supported).toContain(DEVICE_GRANT);
  });
});
