import { createExecutionContext, env } from "cloudflare:test";
import { decodeJwt } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { app } from "../../src/router/app";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { drainOutbox } from "../helpers/audit";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { call, json, ORIGIN } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { currentDirectoryMap } from "../helpers/shards";

type Tokens = { access_token: string; refresh_token: string };

/** The worker's app with an Analytics Engine dataset that keeps what it is given. */
function recordingApp(overrides: Partial<Env> = {}) {
  const points: AnalyticsEngineDataPoint[] = [];
  const workerEnv = { ...(env as unknown as Env), ...overrides, REQUEST_METRICS: { writeDataPoint: (p: AnalyticsEngineDataPoint) => points.push(p ?? {}) } };
  const fetch = (path: string, init: RequestInit = {}) => app.fetch(new Request(new URL(path, ORIGIN), { redirect: "manual", ...init }), workerEnv, createExecutionContext());
  return { points, fetch };
}

async function signedInClient() {
  const registered = await registerClient("confidential");
  const auth = basic(registered.clientId, registered.secret!);
  const user = await createUser();
  const tokens = await json<Tokens>(await tokenRequest(redeemFields(await issueCode(registered.clientId, { user })), auth));
  return { auth, tokens, shard: shardOf(await currentDirectoryMap(), bucketOf(user.id)) };
}

const refreshBody = (refreshToken: string) => new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken });

afterEach(() => vi.restoreAllMocks());

describe("request ids", () => {
  it("every response carries X-Request-Id: the caller's when it is a plausible id, a fresh one otherwise", async () => {
    const fresh = await call("/healthz");
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const given = await call("/healthz", { headers: { "X-Request-Id": "lb-7f3a9c21e0" } });
    expect(given.headers.get("x-request-id")).toBe("lb-7f3a9c21e0");
    const bogus = await call("/no-such-path", { headers: { "X-Request-Id": "<script>" } });
    expect(bogus.status).toBe(404);
    expect(bogus.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("the request id reaches the shard: the audit events of a refresh carry it", async () => {
    const { auth, tokens, shard } = await signedInClient();
    await drainOutbox(shard);
    const res = await call("/token", { method: "POST", headers: { ...auth, "Content-Type": "application/x-www-form-urlencoded", "X-Request-Id": "req-refresh-0001" }, body: refreshBody(tokens.refresh_token) });
    expect(res.status).toBe(200);
    const events = (await drainOutbox(shard)).flatMap((m) => m.events).filter((e) => e.user_id === decodeJwt(tokens.access_token).sub);
    expect(events.map((e) => e.type)).toContain("token.issued");
    for (const e of events) expect(e.data.request_id).toBe("req-refresh-0001");
  });
});

describe("request metrics (Workers Analytics Engine)", () => {
  it("one data point per request: endpoint, status, shard, actor calls — a refresh makes one actor call and no D1 statement", async () => {
    const { auth, tokens, shard } = await signedInClient();
    const worker = recordingApp();
    const ok = await worker.fetch("/token", { method: "POST", headers: { ...auth, "Content-Type": "application/x-www-form-urlencoded" }, body: refreshBody(tokens.refresh_token) });
    expect(ok.status).toBe(200);
    const reuse = await worker.fetch("/token", { method: "POST", headers: { ...auth, "Content-Type": "application/x-www-form-urlencoded" }, body: refreshBody(tokens.refresh_token) });
    expect(reuse.status).toBe(400);
    expect(worker.points).toHaveLength(2);
    const [first, second] = worker.points;
    expect(first!.indexes).toEqual(["/token"]);
    expect(first!.blobs!.slice(0, 5)).toEqual(["/token", "POST", "2xx", shard, ""]);
    expect(first!.blobs![6]).toBe(ok.headers.get("x-request-id"));
    expect(first!.doubles![0]).toBe(200);
    expect(first!.doubles!.slice(2)).toEqual([1, 0, 0]); // actor calls, D1 statements, shard retries
    expect(second!.blobs!.slice(2, 5)).toEqual(["4xx", shard, "invalid_grant"]);
  });

  it("paths outside the endpoint list count as one name, so a scanner cannot flood the index", async () => {
    const worker = recordingApp();
    await worker.fetch("/wp-login.php");
    await worker.fetch("/admin/users/some-id/sessions");
    expect(worker.points.map((p) => p.indexes![0])).toEqual(["other", "/admin/users"]);
  });
});

describe("request logs (LOG_REQUESTS)", () => {
  it("all: one JSON line per request with its id, endpoint, status and counts", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
    const worker = recordingApp({ LOG_REQUESTS: "all" });
    const res = await worker.fetch("/healthz");
    const line = JSON.parse(lines.find((l) => l.includes('"event":"request"'))!);
    expect(line).toMatchObject({ level: "info", event: "request", request_id: res.headers.get("x-request-id"), method: "GET", endpoint: "/healthz", status: res.status, actor_calls: 0, d1_statements: 0 });
  });

  it("errors (the default): a successful request writes no line", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
    await recordingApp().fetch("/healthz");
    expect(lines.filter((l) => l.includes('"event":"request"'))).toEqual([]);
  });
});
