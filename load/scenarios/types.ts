// What a scenario is: how it prepares its virtual users before the clock starts,
// and what one iteration does. Iterations record their own outcomes.
import type { Http } from "../http.ts";
import type { ClientConfig, CodeTicket, Endpoints } from "../oidc.ts";
import type { Outcome, ScenarioRecorder } from "../report/stats.ts";

/** One virtual user: one real user, with its own session, codes and refresh family (seed principle 1). */
export interface Vu {
  index: number;
  /** Cookie header value of the user's session, when the target has one for it. */
  cookie: string | null;
  refreshToken: string | null;
  accessToken: string | null;
  /** Codes minted for this user before the run (TEST 1). */
  codes: CodeTicket[];
}

export interface ScenarioContext {
  http: Http;
  ep: Endpoints;
  client: ClientConfig;
  recorder: ScenarioRecorder;
  /** performance.now() when the measured run started. */
  t0: number;
  /** A fresh session for `vu` when its stored one has ended; null when the target cannot do that. */
  renewSession: ((vu: Vu) => Promise<string>) | null;
  concurrency: number;
  log: (line: string) => void;
  /** Iterations that found no prepared state left (a seeding shortfall, not a provider error). */
  starved: number;
}

export interface Scenario {
  name: string;
  title: string;
  prepare(ctx: ScenarioContext, vus: Vu[], iterations: number): Promise<void>;
  iterate(ctx: ScenarioContext, vu: Vu): Promise<void>;
}

/** Records an outcome at the time its request started. */
export function note(ctx: ScenarioContext, outcome: Outcome): boolean {
  ctx.recorder.request(outcome, performance.now() - ctx.t0 - outcome.ms);
  return outcome.ok;
}
