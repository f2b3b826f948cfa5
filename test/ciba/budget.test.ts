import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { sha256 } from "../../src/oauth/secrets";
import { app } from "../../src/router/app";
import { bucketOf } from "../../src/shard/bucket";
import { TestBrowser } from "../helpers/browser";
import { ORIGIN } from "../helpers/http";
import { createUser } from "../helpers/oidc";
import { rowsIn } from "../helpers/shards";
import { approvalLinkFor, approveAs, CIBA_GRANT, cibaClient, form, shardOfUser, startCiba } from "./helpers";

/** Polls /token through the app with a metrics sink; returns the status and [actor calls, D1 statements, shard retries]. */
async function measuredPoll(client: { clientId: string; secret: string }, authReqId: string): Promise<{ status: number; outcome: string; counts: number[] }> {
  const points: AnalyticsEngineDataPoint[] = [];
  const workerEnv = { ...(env as unknown as Env), REQUEST_METRICS: { writeDataPoint: (p: AnalyticsEngineDataPoint) => points.push(p ?? {}) } };
  const init = form(client, { grant_type: CIBA_GRANT, auth_req_id: authReqId });
  const res = await app.fetch(new Request(new URL("/token", ORIGIN), init), workerEnv, createExecutionContext());
  expect(points).toHaveLength(1);
  return { status: res.status, outcome: String(points[0]!.blobs![4]), counts: points[0]!.doubles!.slice(2) };
}

/**
 * DESIGN.md: /token makes one actor call and no D1 call. A CIBA poll (CIBA Core §10.1) keeps
 * to that whether it is pending or the one that redeems: the request, and the grant approval
 * wrote, sit in the user's own shard; and only the auth_req_id's hash is stored.
 */
describe("CIBA poll costs and where its state lives", () => {
  it("a pending poll and the redeeming poll are each one actor call and no D1 statement", async () => {
    const client = await cibaClient("poll");
    const user = await createUser();
    const started = await startCiba(client, { login_hint: user.email });
    expect(await measuredPoll(client, started.auth_req_id)).toEqual({ status: 400, outcome: "authorization_pending", counts: [1, 0, 0] });
    await approveAs(new TestBrowser(), await approvalLinkFor(user.id), user, "allow");
    const redeemed = await measuredPoll(client, started.auth_req_id);
    expect(redeemed.status).toBe(200);
    expect(redeemed.counts).toEqual([1, 0, 0]);
  });

  it("the row is in the user's bucket, keyed by the auth_req_id's hash, never the id itself", async () => {
    const client = await cibaClient("ping");
    const user = await createUser();
    const started = await startCiba(client, { login_hint: user.email, binding_message: "Till 3" });
    expect(Number(started.auth_req_id.split(".")[1])).toBe(bucketOf(user.id));
    const [row] = await rowsIn(await shardOfUser(user.id), "ciba_requests", "auth_req_id_hash = ?", await sha256(started.auth_req_id));
    expect(row).toMatchObject({ bucket: bucketOf(user.id), user_id: user.id, client_id: client.clientId, mode: "ping", status: "pending", binding_message: "Till 3" });
    expect(JSON.stringify(row)).not.toContain(started.auth_req_id.split(".")[2]);
  });
});
