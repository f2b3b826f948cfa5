import { createExecutionContext, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { app } from "../../src/router/app";
import { TestBrowser } from "../helpers/browser";
import { ORIGIN } from "../helpers/http";
import { authorizeUrl, createUser, signIn } from "../helpers/oidc";
import { parClient, push, requestParams, type ParClient } from "./helpers";

/** A sender through the app that records each request's data point (actor calls, D1 statements, retries). */
function metered(points: AnalyticsEngineDataPoint[]) {
  const workerEnv = { ...(env as unknown as Env), REQUEST_METRICS: { writeDataPoint: (p: AnalyticsEngineDataPoint) => points.push(p ?? {}) } };
  return async (path: string, init: RequestInit = {}): Promise<Response> => app.fetch(new Request(new URL(path, ORIGIN), { redirect: "manual", ...init }), workerEnv, createExecutionContext());
}

const costs = (p: AnalyticsEngineDataPoint) => p.doubles!.slice(2, 4); // actor calls, D1 statements

/**
 * DESIGN.md budgets: a push is one actor call and no D1 statement (the client is cached);
 * /authorize with a live session stays one actor call in the hybrid flow (the access
 * token's grant is written with the code); with a request_uri it is two (README: the
 * pushed request's bucket, then the user's).
 */
describe("PAR and hybrid costs", () => {
  let client: ParClient;
  let browser: TestBrowser;
  let user: Awaited<ReturnType<typeof createUser>>;
  const points: AnalyticsEngineDataPoint[] = [];
  const send = metered(points);

  beforeAll(async () => {
    client = await parClient("confidential", { response_types: ["code", "code id_token token"] });
    user = await createUser();
    browser = new TestBrowser(send);
    // Signed in, consent given, client cached in this isolate.
    await signIn(browser, { ...(await requestParams(client)).params, client_id: client.clientId }, user);
  });

  it("POST /par: one actor call, no D1", async () => {
    points.length = 0;
    expect((await push(client, (await requestParams(client)).params, send)).status).toBe(201);
    expect(points.map(costs)).toEqual([[1, 0]]);
  });

  it("/authorize code id_token token with a live session: one actor call, no D1", async () => {
    points.length = 0;
    const res = await browser.get(authorizeUrl({ ...(await requestParams(client, { response_type: "code id_token token" })).params, client_id: client.clientId }));
    expect(res.status).toBe(302);
    expect(new URLSearchParams(new URL(res.headers.get("location")!).hash.slice(1)).get("access_token")).toBeTruthy();
    expect(points.map(costs)).toEqual([[1, 0]]);
  });

  it("/authorize with a request_uri and a live session: two actor calls, no D1", async () => {
    const res = await push(client, (await requestParams(client)).params, send);
    const { request_uri } = (await res.json()) as { request_uri: string };
    points.length = 0;
    const answer = await browser.get(authorizeUrl({ client_id: client.clientId, request_uri }));
    expect(answer.status).toBe(302);
    expect(new URL(answer.headers.get("location")!).searchParams.get("code")).toMatch(/^c\./);
    expect(points.map(costs)).toEqual([[2, 0]]);
  });
});
