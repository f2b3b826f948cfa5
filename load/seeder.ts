// The authshard-specific part of the suite: registers the load client and creates
// users through the operator API (never by writing to storage), then signs the
// virtual users in through the real pages. Idempotent: what the state file already
// records is reused, so only the first run pays for 10,000 password hashes.
import { parallel } from "../cli/lib/parallel.ts";
import { BUCKET_COUNT } from "../src/shard/limits.ts";
import type { Http } from "./http.ts";
import type { ClientConfig, Endpoints } from "./oidc.ts";
import type { SeedingReport } from "./report/types.ts";
import { signIn } from "./sign-in.ts";
import { emailOf, passwordOf, saveState, type LoadState, type SeededUser } from "./state.ts";

export const LOAD_CLIENT_ID = "load-test";
export const LOAD_REDIRECT_URI = "http://127.0.0.1:3000/load/callback";
export const LOAD_SCOPE = "openid profile email offline_access";

export interface Admin {
  base: string;
  token: string;
}

async function admin(http: Http, a: Admin, method: "GET" | "POST" | "PUT", path: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${a.token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await http.request(`${a.base}${path}`, { method, headers, step: "seed", ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: res.text.startsWith("{") ? (JSON.parse(res.text) as Record<string, unknown>) : {} };
}

/** PUT /admin/clients/load-test: a confidential client allowed to refresh, with the state's secret. */
export async function ensureClient(http: Http, a: Admin, state: LoadState): Promise<ClientConfig> {
  const res = await admin(http, a, "PUT", `/admin/clients/${LOAD_CLIENT_ID}`, {
    client_name: "Load test client",
    client_type: "confidential",
    client_secret: state.clientSecret,
    token_endpoint_auth_method: "client_secret_basic",
    redirect_uris: [LOAD_REDIRECT_URI],
    grant_types: ["authorization_code", "refresh_token"],
    scope: LOAD_SCOPE,
  });
  if (res.status !== 200 && res.status !== 201) throw new Error(`registering the load client failed: HTTP ${res.status} ${JSON.stringify(res.json)}`);
  return { clientId: LOAD_CLIENT_ID, clientSecret: state.clientSecret, redirectUri: LOAD_REDIRECT_URI, scope: LOAD_SCOPE };
}

function seededUser(json: Record<string, unknown>): SeededUser {
  const user = json.user as { id: string; email: string; bucket: number; shard?: string };
  return { email: user.email, userId: user.id, bucket: user.bucket, shard: user.shard ?? null };
}

/** Creates users 0..count-1 that the state does not have yet (409: created by an earlier, lost run; looked up). */
export async function ensureUsers(http: Http, a: Admin, state: LoadState, statePath: string, count: number, concurrency: number, log: (s: string) => void) {
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => state.users[i] === undefined);
  let done = 0;
  await parallel(missing, concurrency, async (i) => {
    const email = emailOf(i);
    let res = await admin(http, a, "POST", "/admin/users", { email, password: passwordOf(state, email), name: `Load user ${i}` });
    if (res.status === 409) res = await admin(http, a, "GET", `/admin/users?email=${encodeURIComponent(email)}`);
    if (res.status !== 201 && res.status !== 200) throw new Error(`creating ${email} failed: HTTP ${res.status} ${JSON.stringify(res.json)}`);
    state.users[i] = seededUser(res.json);
    if (++done % 500 === 0) {
      saveState(statePath, state);
      log(`  users: ${done}/${missing.length} created`);
    }
  });
  saveState(statePath, state);
  return { created: missing.length, reused: count - missing.length };
}

/** Signs in the users of virtual users 0..vus-1 that have no stored session. */
export async function ensureSessions(http: Http, ep: Endpoints, client: ClientConfig, state: LoadState, statePath: string, vus: number, concurrency: number) {
  const missing = state.users.slice(0, vus).filter((u) => state.sessions[u.email] === undefined);
  await parallel(missing, concurrency, async (user) => {
    await signInUser(http, ep, client, state, user);
  });
  saveState(statePath, state);
  return { created: missing.length, reused: vus - missing.length };
}

/** A new session for `user` (also used when a stored session turns out to have ended). */
export async function signInUser(http: Http, ep: Endpoints, client: ClientConfig, state: LoadState, user: SeededUser): Promise<string> {
  const result = await signIn(http, ep, client, user.email, passwordOf(state, user.email));
  if ("problem" in result) throw new Error(`signing in ${user.email} failed: ${result.problem}`);
  state.sessions[user.email] = result.cookie;
  return result.cookie;
}

/** Distinct buckets and users per shard among the seeded users. */
export function coverage(users: readonly SeededUser[]): Pick<SeedingReport, "bucketsCovered" | "bucketsTotal" | "usersPerShard"> {
  const buckets = new Set(users.map((u) => u.bucket));
  const usersPerShard: Record<string, number> = {};
  for (const u of users) usersPerShard[u.shard ?? "?"] = (usersPerShard[u.shard ?? "?"] ?? 0) + 1;
  return { bucketsCovered: buckets.size, bucketsTotal: BUCKET_COUNT, usersPerShard };
}
