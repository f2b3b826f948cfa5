// What the side-by-side benchmark sends. A lane is state that carries one request at a
// time: a refresh family (always sent at its newest token), a user with unredeemed codes,
// or a user's access token. Both targets get the same lanes and the same requests.
import { timed, type Http } from "../http.ts";
import type { Outcome } from "../report/stats.ts";

export type ScenarioName = "refresh" | "code" | "userinfo";
export const SCENARIO_NAMES: readonly ScenarioName[] = ["refresh", "code", "userinfo"];

export interface Lane {
  refreshToken: string | null;
  accessToken: string | null;
  /** Unredeemed codes, each as the form fields that redeem it (code, and PKCE verifier and redirect URI where needed). */
  codes: Array<Record<string, string>>;
}

/** How a target is called: its base URL and the client authentication it wants (none for the ceiling). */
export interface Target {
  name: "authshard" | "ceiling";
  base: string;
  /** Headers of a token request (client authentication). */
  tokenHeaders: Record<string, string>;
  /** workerd processes serving it now, for CPU per request (wrangler may restart them, so asked each time). */
  pids: () => number[];
}

const okJson = (res: { status: number; text: string }) => (res.status === 200 ? null : `status ${res.status}: ${res.text.slice(0, 120)}`);

/** One request of `scenario` on `lane`, or null when the lane has nothing left to send. */
export async function step(http: Http, target: Target, scenario: ScenarioName, lane: Lane): Promise<Outcome | null> {
  if (scenario === "refresh") {
    if (lane.refreshToken === null) return null;
    const { outcome, res } = await timed(
      http,
      "refresh",
      `${target.base}/token`,
      { method: "POST", headers: target.tokenHeaders, form: { grant_type: "refresh_token", refresh_token: lane.refreshToken } },
      okJson,
    );
    if (outcome.ok && res) lane.refreshToken = (JSON.parse(res.text) as { refresh_token?: string }).refresh_token ?? null;
    return outcome;
  }
  if (scenario === "code") {
    const code = lane.codes.shift();
    if (code === undefined) return null;
    const form = { grant_type: "authorization_code", ...code };
    return (await timed(http, "code", `${target.base}/token`, { method: "POST", headers: target.tokenHeaders, form }, okJson)).outcome;
  }
  if (lane.accessToken === null) return null;
  return (await timed(http, "userinfo", `${target.base}/userinfo`, { headers: { Authorization: `Bearer ${lane.accessToken}` } }, okJson)).outcome;
}
