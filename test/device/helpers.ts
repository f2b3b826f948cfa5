import { env, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { sha256 } from "../../src/oauth/secrets";
import { shardOf } from "../../src/shard/map";
import { stubFor } from "../../src/shard/stub";
import { hiddenField, TestBrowser } from "../helpers/browser";
import { basic } from "../clients/helpers";
import { call, json } from "../helpers/http";
import { registerClient } from "../helpers/oidc";
import { currentDirectoryMap } from "../helpers/shards";

export const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

export interface DeviceClient {
  clientId: string;
  secret: string | undefined;
}

export interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** A client registered for the device grant (and refresh tokens), confidential or public. */
export function deviceClient(type: "confidential" | "public"): Promise<DeviceClient> {
  return registerClient(type, { grant_types: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"] });
}

/** A form POST as the client sends it: client_secret_basic when confidential, client_id alone when public. */
export function form(client: DeviceClient, fields: Record<string, string>): RequestInit {
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
  if (client.secret) headers.Authorization = basic(client.clientId, client.secret);
  const body = new URLSearchParams(client.secret ? fields : { ...fields, client_id: client.clientId });
  return { method: "POST", headers, body: body.toString() };
}

export async function startDevice(client: DeviceClient, scope = "openid profile offline_access"): Promise<DeviceAuthorization> {
  const res = await call("/device_authorization", form(client, { scope }));
  expect(res.status, await res.clone().text()).toBe(200);
  return json<DeviceAuthorization>(res);
}

export function poll(client: DeviceClient, deviceCode: string): Promise<Response> {
  return call("/token", form(client, { grant_type: DEVICE_GRANT, device_code: deviceCode }));
}

export async function pollError(client: DeviceClient, deviceCode: string): Promise<string> {
  const res = await poll(client, deviceCode);
  expect(res.status, await res.clone().text()).toBe(400);
  return (await json<{ error: string }>(res)).error;
}

/** Rewrites the pending row behind a device code, as time passing would (SQL `SET` clause). */
export async function editDeviceRow(deviceCode: string, set: string, ...bindings: SqlStorageValue[]): Promise<void> {
  const bucket = Number(deviceCode.split(".")[1]);
  const shard = shardOf(await currentDirectoryMap(), bucket);
  const hash = await sha256(deviceCode);
  await runInDurableObject(stubFor(env, shard), (_instance, state) => {
    state.storage.sql.exec(`UPDATE device_requests SET ${set} WHERE device_code_hash = ?`, ...bindings, hash);
  });
}

/**
 * A person at the verification URI (RFC 8628 §3.3): opens the complete URI, submits
 * the code, signs in if asked, then allows or denies. Returns the final page.
 */
export async function visitAndDecide(
  browser: TestBrowser,
  authorization: DeviceAuthorization,
  user: { email: string; password: string },
  decision: "allow" | "deny",
): Promise<Response> {
  const opened = await browser.get(authorization.verification_uri_complete);
  expect(opened.status).toBe(200);
  const codeForm = await opened.text();
  let res = await browser.post("/device", { csrf: hiddenField(codeForm, "csrf"), user_code: authorization.user_code });
  let html = await res.text();
  if (html.includes('name="step" value="login"')) {
    res = await browser.post("/device", { csrf: hiddenField(html, "csrf"), user_code: hiddenField(html, "user_code"), step: "login", email: user.email, password: user.password });
    html = await res.text();
  }
  expect(res.status, html.slice(0, 1500)).toBe(200);
  expect(html).toContain('name="decision" value="allow"');
  return browser.post("/device", { csrf: hiddenField(html, "csrf"), user_code: hiddenField(html, "user_code"), decision });
}
