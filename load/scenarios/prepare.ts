// Per-VU state made before the clock starts (seed principle 3): codes from the
// real /authorize endpoint and one refresh family per VU. Preparation requests
// are not part of the measured run; their time is reported as preparation.
import { authorizeWithSession, redeemCode, type CodeTicket } from "../oidc.ts";
import { parallel } from "../../cli/lib/parallel.ts";
import type { ScenarioContext, Vu } from "./types.ts";

const RETRIES = 4;
const transient = (status: number | "network") => status === "network" || status >= 500;

/**
 * One code for `vu`, renewing its session once if the provider shows a login page
 * instead. Server errors and lost connections are retried with backoff (and logged):
 * preparation must not fail a run over one bad response, but it must not hide it.
 */
async function mintCode(ctx: ScenarioContext, vu: Vu): Promise<CodeTicket> {
  let renewed = false;
  for (let attempt = 0; ; attempt++) {
    if (vu.cookie === null) throw new Error(`virtual user ${vu.index} has no session`);
    const { outcome, ticket } = await authorizeWithSession(ctx.http, ctx.ep, ctx.client, vu.cookie, "seed");
    if (ticket) return ticket;
    if (outcome.error === "login_page" && !renewed && ctx.renewSession) {
      renewed = true;
      vu.cookie = await ctx.renewSession(vu);
      continue;
    }
    const what = `minting a code for virtual user ${vu.index}: ${outcome.error ?? outcome.status}`;
    if (!transient(outcome.status) || attempt >= RETRIES) throw new Error(`${what} (attempt ${attempt + 1})`);
    ctx.log(`  retrying after ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
  }
}

/** `perVu` codes for every VU, minted with bounded concurrency. */
export async function mintCodes(ctx: ScenarioContext, vus: Vu[], perVu: number): Promise<void> {
  const jobs = vus.flatMap((vu) => Array.from({ length: perVu }, () => vu));
  let done = 0;
  await parallel(jobs, ctx.concurrency, async (vu) => {
    vu.codes.push(await mintCode(ctx, vu));
    if (++done % 5000 === 0) ctx.log(`  codes: ${done}/${jobs.length}`);
  });
}

/** A new grant for every VU that has a session: its own refresh family and access token. */
export async function startFamilies(ctx: ScenarioContext, vus: Vu[]): Promise<void> {
  await parallel(vus, ctx.concurrency, async (vu) => {
    if (vu.cookie === null) return;
    const { outcome, tokens } = await redeemCode(ctx.http, ctx.ep, ctx.client, await mintCode(ctx, vu));
    if (!tokens) throw new Error(`redeeming a code for virtual user ${vu.index} failed: ${outcome.error ?? outcome.status}`);
    vu.accessToken = tokens.accessToken;
    vu.refreshToken = tokens.refreshToken;
  });
}

/** Codes per VU for `iterations` spread over `vus` users, with a margin for uneven turns. */
export function codesPerVu(iterations: number, vus: number): number {
  const even = Math.ceil(iterations / vus);
  return even + Math.max(2, Math.ceil(even * 0.1));
}
