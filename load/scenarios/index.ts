// The scenarios of the seed's standard benchmark (TEST 1-3) and two single-endpoint
// ones. Each keeps the seed's state rules: one user per VU, single-use codes from
// the real /authorize, one refresh family per VU always used at its newest token.
import { authorizeWithSession, redeemCode, refresh, userinfo } from "../oidc.ts";
import { codesPerVu, mintCodes, startFamilies } from "./prepare.ts";
import { note, type Scenario, type ScenarioContext, type Vu } from "./types.ts";

/** TEST 1: /token authorization_code with codes minted beforehand; the refresh token is kept by the VU. */
const test1: Scenario = {
  name: "test1",
  title: "TEST 1 /token authorization_code",
  async prepare(ctx, vus, iterations) {
    await mintCodes(ctx, vus, codesPerVu(iterations, vus.length));
  },
  async iterate(ctx, vu) {
    const ticket = vu.codes.shift();
    if (!ticket) {
      ctx.starved++;
      return;
    }
    const { outcome, tokens } = await redeemCode(ctx.http, ctx.ep, ctx.client, ticket);
    if (note(ctx, outcome) && tokens) vu.refreshToken = tokens.refreshToken;
  },
};

/** TEST 2: refresh storm; each VU rotates its own family and always sends the newest token. */
const test2: Scenario = {
  name: "test2",
  title: "TEST 2 /token refresh_token storm",
  async prepare(ctx, vus) {
    await startFamilies(ctx, vus.filter((vu) => vu.refreshToken === null));
  },
  async iterate(ctx, vu) {
    if (vu.refreshToken === null) {
      ctx.starved++;
      return;
    }
    const { outcome, tokens } = await refresh(ctx.http, ctx.ep, ctx.client, vu.refreshToken);
    if (note(ctx, outcome) && tokens?.refreshToken) vu.refreshToken = tokens.refreshToken;
  },
};

/** TEST 3: the full flow with a live session: authorize → token → userinfo → refresh. */
const test3: Scenario = {
  name: "test3",
  title: "TEST 3 full flow (authorize → token → userinfo → refresh)",
  async prepare() {},
  async iterate(ctx, vu) {
    if (vu.cookie === null) {
      ctx.starved++;
      return;
    }
    const started = performance.now();
    const ok = await fullFlow(ctx, vu, vu.cookie);
    ctx.recorder.iteration(performance.now() - started, ok);
  },
};

async function fullFlow(ctx: ScenarioContext, vu: Vu, cookie: string): Promise<boolean> {
  const authorized = await authorizeWithSession(ctx.http, ctx.ep, ctx.client, cookie);
  if (!note(ctx, authorized.outcome) || !authorized.ticket) return false;
  const redeemed = await redeemCode(ctx.http, ctx.ep, ctx.client, authorized.ticket);
  if (!note(ctx, redeemed.outcome) || !redeemed.tokens?.refreshToken) return false;
  if (!note(ctx, (await userinfo(ctx.http, ctx.ep, redeemed.tokens.accessToken)).outcome)) return false;
  const rotated = await refresh(ctx.http, ctx.ep, ctx.client, redeemed.tokens.refreshToken);
  if (!note(ctx, rotated.outcome)) return false;
  vu.refreshToken = rotated.tokens?.refreshToken ?? null;
  return true;
}

/** /userinfo alone with each VU's own access token (fixed per VU, as the seed allows). */
const userinfoOnly: Scenario = {
  name: "userinfo",
  title: "/userinfo with a per-VU access token",
  async prepare(ctx, vus) {
    await startFamilies(ctx, vus.filter((vu) => vu.accessToken === null));
  },
  async iterate(ctx, vu) {
    if (vu.accessToken === null) {
      ctx.starved++;
      return;
    }
    note(ctx, (await userinfo(ctx.http, ctx.ep, vu.accessToken)).outcome);
  },
};

/** /authorize with a live session: fresh state, nonce and PKCE every time; a code comes back. */
const authorizeOnly: Scenario = {
  name: "authorize",
  title: "/authorize with a live session",
  async prepare() {},
  async iterate(ctx, vu) {
    if (vu.cookie === null) {
      ctx.starved++;
      return;
    }
    note(ctx, (await authorizeWithSession(ctx.http, ctx.ep, ctx.client, vu.cookie)).outcome);
  },
};

export const SCENARIOS: readonly Scenario[] = [test1, test2, test3, userinfoOnly, authorizeOnly];

export function scenarioByName(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
