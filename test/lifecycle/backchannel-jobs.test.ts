import { env } from "cloudflare:test";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import type { BackchannelJob } from "../../src/backchannel/message";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { drainOutbox } from "../helpers/audit";
import { TestBrowser } from "../helpers/browser";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, json } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { currentDirectoryMap } from "../helpers/shards";

type Tokens = { access_token: string; id_token: string };

/** A user signed in to two clients in one browser session; the shard's outbox drained. */
async function signedInTwice() {
  const user = await createUser();
  const browser = new TestBrowser();
  const a = await registerClient("confidential");
  const b = await registerClient("confidential");
  const tokens: Tokens[] = [];
  for (const c of [a, b]) tokens.push(await json<Tokens>(await tokenRequest(redeemFields(await issueCode(c.clientId, { user, browser })), basic(c.clientId, c.secret!))));
  const sid = decodeJwt(tokens[0]!.id_token).sid as string;
  expect(decodeJwt(tokens[1]!.id_token).sid).toBe(sid);
  const shard = shardOf(await currentDirectoryMap(), bucketOf(user.id));
  await drainOutbox(shard);
  return { user, browser, a, b, sid, shard };
}

async function jobsAfter(shard: string): Promise<BackchannelJob[]> {
  const jobs: BackchannelJob[] = [];
  await drainOutbox(shard, jobs);
  return jobs.sort((x, y) => x.client_id.localeCompare(y.client_id));
}

/** OpenID Connect Back-Channel Logout 1.0 §2.5: the OP tells every RP of the session that it ended. */
describe("back-channel logout: what the shard queues when sessions end", () => {
  it("an operator ending the session queues one notification per client of it, with sub and sid", async () => {
    const s = await signedInTwice();
    expect((await admin("DELETE", `/users/${s.user.id}/sessions/${s.sid}`)).status).toBe(200);
    const jobs = await jobsAfter(s.shard);
    expect(jobs.map((j) => [j.client_id, j.user_id, j.sid, j.reason])).toEqual(
      [s.a.clientId, s.b.clientId].sort().map((c) => [c, s.user.id, s.sid, "logout"]),
    );
    expect(new Set(jobs.map((j) => j.event_id)).size).toBe(1); // both come from the one logout event
  });

  it("disabling the user ends the session, so its clients are told", async () => {
    const s = await signedInTwice();
    expect((await admin("POST", `/users/${s.user.id}/disable`)).status).toBe(200);
    const jobs = await jobsAfter(s.shard);
    expect(jobs.map((j) => [j.client_id, j.sid, j.reason])).toEqual([s.a.clientId, s.b.clientId].sort().map((c) => [c, s.sid, "user.disabled"]));
    const sessions = await json<{ sessions: Array<{ state: string }> }>(await admin("GET", `/users/${s.user.id}/sessions`));
    expect(sessions.sessions.map((x) => x.state)).toEqual(["ended"]);
  });

  it("withdrawn consent tells that client alone, for the session its grants belonged to", async () => {
    const s = await signedInTwice();
    expect((await admin("DELETE", `/users/${s.user.id}/consents/${s.a.clientId}`)).status).toBe(200);
    const jobs = await jobsAfter(s.shard);
    expect(jobs.map((j) => [j.client_id, j.sid, j.reason])).toEqual([[s.a.clientId, s.sid, "consent.revoked"]]);
  });

  it("a session that ends twice is told once", async () => {
    const s = await signedInTwice();
    await admin("DELETE", `/users/${s.user.id}/sessions/${s.sid}`);
    await jobsAfter(s.shard);
    await admin("DELETE", `/users/${s.user.id}/sessions/${s.sid}`);
    expect(await jobsAfter(s.shard)).toEqual([]);
  });
});
