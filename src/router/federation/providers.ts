import type { Config } from "../../config";
import type { Env } from "../../env";
import { LOOPBACK } from "../../config-parse";
import { listUpstreamRows, type UpstreamRow } from "../d1/upstreams";

/**
 * The configured upstream providers, cached per isolate for CLIENT_CACHE_TTL_MS like client
 * registrations: the login page lists the ones shown there without a D1 read per page, and
 * a sign-in finds its provider the same way. Operator changes apply at once in the isolate
 * that made them (forgetUpstreams) and within the TTL elsewhere.
 */
let cached: { rows: UpstreamRow[]; expiresAt: number } | null = null;
let generation = 0;

export function forgetUpstreams(): void {
  cached = null;
  generation++;
}

async function allUpstreams(env: Env, config: Config): Promise<UpstreamRow[]> {
  const now = Date.now();
  if (cached && cached.expiresAt > now) return cached.rows;
  const started = generation;
  const rows = await listUpstreamRows(env.DB);
  if (config.clientCacheTtlMs > 0 && started === generation) cached = { rows, expiresAt: now + config.clientCacheTtlMs };
  return rows;
}

/**
 * The buttons of the login page: providers the operator shows there (`all`: every provider,
 * for the account page's links). `origin` is where the button's form ends up after the
 * redirect, which the page's CSP form-action must allow (browsers check it on redirects too).
 */
export async function loginUpstreams(env: Env, config: Config, all = false): Promise<{ id: string; name: string; origin: string }[]> {
  try {
    return (await allUpstreams(env, config))
      .filter((r) => all || r.showOnLogin)
      .map((r) => ({ id: r.id, name: r.displayName, origin: new URL(r.authorizationEndpoint).origin }));
  } catch {
    // D1 down: the page still offers the password and email sign-in.
    return [];
  }
}

export async function findUpstream(env: Env, config: Config, id: string): Promise<UpstreamRow | null> {
  if (!/^[a-z0-9][a-z0-9_-]{0,39}$/.test(id)) return null;
  return (await allUpstreams(env, config)).find((r) => r.id === id) ?? null;
}

/** Upstream endpoints: https, or http on a loopback host (a second local provider in development). */
export function upstreamUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "must be an absolute URL";
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) return "must use https (http only on localhost / 127.0.0.1)";
  if (url.hash || url.username || url.password) return "must not contain a fragment or credentials";
  return null;
}
