import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { sha256 } from "../../src/oauth/secrets";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { stubFor } from "../../src/shard/stub";
import { hiddenField, type TestBrowser } from "../helpers/browser";
import { basic } from "../clients/helpers";
import { call, json } from "../helpers/http";
import { registerClient } from "../helpers/oidc";
import { currentDirectoryMap } from "../helpers/shards";

export const CIBA_GRANT = "urn:openid:params:grant-type:ciba";

export interface CibaClient {
  clientId: string;
  secret: string;
  /** The rp-receiver key of its notification endpoint (ping and push). */
  key: string;
  mode: "poll" | "ping" | "push";
}

export interface CibaStarted {
  auth_req_id: string;
  expires_in: number;
  interval?: number;
}

/** A confidential client registered for CIBA in `mode` (ping/push: its endpoint is the test receiver). */
export async function cibaClient(mode: "poll" | "ping" | "push", receiver = "json"): Promise<CibaClient> {
  const key = crypto.randomUUID();
  const extra: Record<string, unknown> = { grant_types: [CIBA_GRANT, "refresh_token"], backchannel_token_delivery_mode: mode };
  if (mode !== "poll") extra.backchannel_client_notification_endpoint = `https://rp.example/${receiver}/${key}`;
  const client = await registerClient("confidential", extra);
  return { clientId: client.clientId, secret: client.secret!, key, mode };
}

export function form(client: { clientId: string; secret: string }, fields: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: basic(client.clientId, client.secret) },
    body: new URLSearchParams(fields).toString(),
  };
}

/** The client's notification token in these tests: its receiver key, so each test checks its own. */
export const notificationTokenOf = (client: CibaClient) => `nt-${client.key}`;

export function bcAuthorize(client: CibaClient, fields: Record<string, string>): Promise<Response> {
  const token: Record<string, string> = client.mode === "poll" ? {} : { client_notification_token: notificationTokenOf(client) };
  return call("/bc-authorize", form(client, { scope: "openid profile offline_access", ...token, ...fields }));
}

export async function startCiba(client: CibaClient, fields: Record<string, string>): Promise<CibaStarted> {
  const res = await bcAuthorize(client, fields);
  expect(res.status, await res.clone().text()).toBe(200);
  return json<CibaStarted>(res);
}

export function poll(client: CibaClient, authReqId: string): Promise<Response> {
  return call("/token", form(client, { grant_type: CIBA_GRANT, auth_req_id: authReqId }));
}

export async function pollError(client: CibaClient, authReqId: string): Promise<string> {
  const res = await poll(client, authReqId);
  expect(res.status, await res.clone().text()).toBe(400);
  return (await json<{ error: string }>(res)).error;
}

export async function shardOfUser(userId: string): Promise<string> {
  return shardOf(await currentDirectoryMap(), bucketOf(userId));
}

/** Rewrites the row behind an auth_req_id, as time passing would (SQL `SET` clause). */
export async function editCibaRow(userId: string, authReqId: string, set: string, ...bindings: SqlStorageValue[]): Promise<void> {
  const hash = await sha256(authReqId);
  await runInDurableObject(stubFor(env, await shardOfUser(userId)), (_i, state) => {
    state.storage.sql.exec(`UPDATE ciba_requests SET ${set} WHERE auth_req_id_hash = ?`, ...bindings, hash);
  });
}

export async function cibaRowCount(userId: string): Promise<number> {
  return runInDurableObject(stubFor(env, await shardOfUser(userId)), (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM ciba_requests WHERE user_id = ?", userId).one().n);
}

/** The user's shard runs its alarm now (outbox flush, sweep), so notification jobs reach the queue. */
export async function runShardAlarm(userId: string): Promise<void> {
  await runDurableObjectAlarm(stubFor(env, await shardOfUser(userId)));
}

export interface Received {
  authorization: string | null;
  contentType: string | null;
  body: Record<string, unknown> | null;
  status: number;
}

async function received(key: string): Promise<Received[]> {
  return (await env.RP_RECEIVER.fetch(`http://rp/received?key=${key}`)).json();
}

export async function waitForReceived(key: string, n: number, ms = 15_000): Promise<Received[]> {
  const deadline = Date.now() + ms;
  let got = await received(key);
  while (got.length < n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    got = await received(key);
  }
  return got;
}

/** The approval link (path and query) of the user's pending request, as the local listing shows it. */
export async function approvalLinkFor(userId: string): Promise<string> {
  const page = await (await call("/dev/ciba")).text();
  const item = page.split("<li>").find((l) => l.includes(userId));
  expect(item, "the dev listing shows the request").toBeDefined();
  const url = new URL(/href="([^"]+)"/.exec(item!)![1]!.replaceAll("&amp;", "&"));
  return url.pathname + url.search;
}

/** The person opens the approval link, signs in if asked, and allows or denies. Returns the final page. */
export async function approveAs(browser: TestBrowser, link: string, user: { email: string; password: string }, decision: "allow" | "deny"): Promise<Response> {
  let res = await browser.get(link);
  let html = await res.text();
  if (html.includes('name="step" value="login"')) {
    res = await browser.post("/ciba", { csrf: hiddenField(html, "csrf"), request: hiddenField(html, "request"), step: "login", email: user.email, password: user.password });
    html = await res.text();
  }
  expect(res.status, html.slice(0, 1500)).toBe(200);
  expect(html).toContain('name="decision" value="allow"');
  return browser.post("/ciba", { csrf: hiddenField(html, "csrf"), request: hiddenField(html, "request"), decision });
}
