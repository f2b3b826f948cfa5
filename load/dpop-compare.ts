// `npm run load:dpop`: what DPoP (RFC 9449) costs the hot paths. Starts the worker with
// wrangler's unstable_startWorker on loopback (fresh storage in a temporary directory),
// seeds users with two refresh families each — one Bearer, one DPoP-bound — and measures,
// one short closed-loop run each, refresh and /userinfo with DPoP off (Bearer) and on
// (a fresh proof per request; at /userinfo with ath). Bounded: --duration seconds per run.
// The client signs its proofs in this process, on the same machine: on a small machine
// that CPU is taken from the worker, so the "on" numbers are a lower bound.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { unstable_startWorker } from "wrangler";
import { integerIn, parseCommand, runMain, type CommandSpec, type Options } from "../cli/lib/args.ts";
import { ROOT, WRANGLER_JS } from "../cli/lib/wrangler.ts";
import { Http } from "./http.ts";
import { authorizeWithSession, discover, type ClientConfig, type CodeTicket, type Endpoints } from "./oidc.ts";
import { signIn } from "./sign-in.ts";

const SPEC = {
  usage: "npm run load:dpop -- [--duration S] [--connections N] [--users N]",
  summary: "Refresh and /userinfo req/s with DPoP off (Bearer) and on (a proof per request), side by side, on a worker of its own.",
  options: {
    duration: { type: "string", parse: integerIn(2, 60), placeholder: "S", description: "Seconds of each of the four runs (default 10)." },
    connections: { type: "string", parse: integerIn(1, 64), placeholder: "N", description: "Closed-loop connections (default 8)." },
    users: { type: "string", parse: integerIn(1, 500), placeholder: "N", description: "Seeded users, one Bearer and one DPoP family each (default 40)." },
  },
  notes: "Example:\n  npm run load:dpop -- --duration 5",
} satisfies CommandSpec<Options>;

const ADMIN_TOKEN = "dpop-compare-admin-token-0123456789";
const SECRET = "dpop-compare-client-secret";
const REDIRECT_URI = "http://127.0.0.1:3000/callback";
const log = (line: string) => process.stderr.write(`[dpop] ${line}\n`);

interface ProofKey {
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  jwk: JWK;
}

/** One user's state: a Bearer family and a DPoP-bound one, with their current tokens. */
interface Lane {
  bearer: { refresh: string; access: string };
  dpop: { refresh: string; access: string; key: ProofKey };
}

const basic = `Basic ${Buffer.from(`dpop-compare:${SECRET}`).toString("base64")}`;
const b64sha256 = (text: string) => createHash("sha256").update(text).digest("base64url");

async function proof(key: ProofKey, htm: string, htu: string, accessToken?: string): Promise<string> {
  const claims: Record<string, unknown> = { jti: crypto.randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000) };
  if (accessToken !== undefined) claims.ath = b64sha256(accessToken);
  return new SignJWT(claims).setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: key.jwk }).sign(key.privateKey);
}

async function newKey(): Promise<ProofKey> {
  const pair = await generateKeyPair("ES256", { extractable: true });
  return { privateKey: pair.privateKey, jwk: await exportJWK(pair.publicKey) };
}

async function tokenCall(http: Http, ep: Endpoints, form: Record<string, string>, dpop?: string): Promise<{ refresh: string; access: string } | null> {
  const headers: Record<string, string> = { authorization: basic };
  if (dpop !== undefined) headers.dpop = dpop;
  const res = await http.request(ep.token, { headers, form, step: "dpop" });
  if (res.status !== 200) return null;
  const body = JSON.parse(res.text) as { access_token: string; refresh_token: string };
  return { refresh: body.refresh_token, access: body.access_token };
}

function redeemForm(ticket: CodeTicket): Record<string, string> {
  return { grant_type: "authorization_code", code: ticket.code, redirect_uri: REDIRECT_URI, code_verifier: ticket.verifier };
}

async function seedLane(http: Http, base: string, ep: Endpoints, client: ClientConfig, i: number): Promise<Lane> {
  const email = `dpop-${i}-${Date.now()}@example.com`;
  const created = await http.request(`${base}/admin/users`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ email, password: "load-password-123" }) });
  if (created.status !== 201) throw new Error(`creating a user failed: HTTP ${created.status}`);
  const session = await signIn(http, ep, client, email, "load-password-123");
  if ("problem" in session) throw new Error(session.problem);
  const tickets: CodeTicket[] = [];
  for (let n = 0; n < 2; n++) {
    const { ticket } = await authorizeWithSession(http, ep, client, session.cookie);
    if (!ticket) throw new Error("no code with a live session");
    tickets.push(ticket);
  }
  const key = await newKey();
  const bearer = await tokenCall(http, ep, redeemForm(tickets[0]!));
  const dpop = await tokenCall(http, ep, redeemForm(tickets[1]!), await proof(key, "POST", ep.token));
  if (!bearer || !dpop) throw new Error("redeeming a code failed");
  return { bearer, dpop: { ...dpop, key } };
}

type Run = "refresh" | "userinfo";

/** One request of `run` on `lane`, with DPoP on or off; false on any refusal. */
async function step(http: Http, ep: Endpoints, lane: Lane, run: Run, dpop: boolean): Promise<boolean> {
  if (run === "refresh") {
    const family = dpop ? lane.dpop : lane.bearer;
    const next = await tokenCall(http, ep, { grant_type: "refresh_token", refresh_token: family.refresh }, dpop ? await proof(lane.dpop.key, "POST", ep.token) : undefined);
    if (next) Object.assign(family, next);
    return next !== null;
  }
  const headers: Record<string, string> = dpop
    ? { authorization: `DPoP ${lane.dpop.access}`, dpop: await proof(lane.dpop.key, "GET", ep.userinfo, lane.dpop.access) }
    : { authorization: `Bearer ${lane.bearer.access}` };
  return (await http.request(ep.userinfo, { headers, step: "dpop" })).status === 200;
}

async function closedLoop(http: Http, ep: Endpoints, lanes: Lane[], run: Run, dpop: boolean, connections: number, seconds: number) {
  let ok = 0;
  let failed = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      const mine = lanes.filter((_, i) => i % connections === c);
      for (let i = 0; performance.now() < end && mine.length > 0; i++) {
        if (await step(http, ep, mine[i % mine.length]!, run, dpop)) ok++;
        else failed++;
      }
    }),
  );
  return { reqPerS: Math.round(ok / ((performance.now() - t0) / 1000)), failed };
}

async function main(): Promise<void> {
  const flags = parseCommand(SPEC, process.argv.slice(2));
  const duration = flags.duration ?? 10;
  const connections = flags.connections ?? 8;
  const users = Math.max(flags.users ?? 40, connections);
  const persist = mkdtempSync(join(tmpdir(), "authshard-dpop-"));
  const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" };
  await promisify(execFile)(process.execPath, [WRANGLER_JS, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], { cwd: ROOT, env, timeout: 90_000 });
  const bindings = {
    ADMIN_TOKEN: { type: "secret_text", value: ADMIN_TOKEN },
    RATE_LIMITS: { type: "plain_text", value: "off" },
    ACCESS_TOKEN_TTL_S: { type: "plain_text", value: "3600" },
  } as const;
  const worker = await unstable_startWorker({
    config: join(ROOT, "wrangler.jsonc"),
    bindings,
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, logLevel: "error", persist, watch: false },
  });
  try {
    await worker.ready;
    const base = (await worker.url).origin;
    await worker.patchConfig({ bindings: { ...bindings, ISSUER: { type: "plain_text", value: base } } });
    await worker.ready;
    const http = new Http(connections);
    const ep = await discover(http, base);
    const client: ClientConfig = { clientId: "dpop-compare", clientSecret: SECRET, redirectUri: REDIRECT_URI, scope: "openid profile email offline_access" };
    await http.request(`${base}/admin/clients/dpop-compare`, {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ client_name: "DPoP compare", client_type: "confidential", client_secret: SECRET, redirect_uris: [REDIRECT_URI], grant_types: ["authorization_code", "refresh_token"], scope: client.scope }),
    });
    log(`seeding ${users} users at ${base}`);
    const lanes: Lane[] = [];
    for (let i = 0; i < users; i += 8) lanes.push(...(await Promise.all(Array.from({ length: Math.min(8, users - i) }, (_, k) => seedLane(http, base, ep, client, i + k)))));
    const rows: string[] = ["| endpoint | DPoP off (Bearer) req/s | DPoP on (proof per request) req/s | on / off |", "| --- | --- | --- | --- |"];
    for (const run of ["refresh", "userinfo"] as const) {
      const off = await closedLoop(http, ep, lanes, run, false, connections, duration);
      const on = await closedLoop(http, ep, lanes, run, true, connections, duration);
      log(`${run}: off ${off.reqPerS} req/s (${off.failed} failed), on ${on.reqPerS} req/s (${on.failed} failed)`);
      rows.push(`| ${run === "refresh" ? "POST /token refresh_token" : "GET /userinfo"} | ${off.reqPerS} | ${on.reqPerS} | ${off.reqPerS > 0 ? (on.reqPerS / off.reqPerS).toFixed(2) : "-"} |`);
    }
    process.stdout.write(`${rows.join("\n")}\n\n${connections} connections, ${duration} s per run, ${users} users, loopback, one machine.\n`);
  } finally {
    await worker.dispose();
    rmSync(persist, { recursive: true, force: true });
  }
}

runMain(main, "run with --help for usage");
