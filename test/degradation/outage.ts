import { createExecutionContext, env } from "cloudflare:test";
import { expect } from "vitest";
import type { Env } from "../../src/env";
import { app } from "../../src/router/app";
import { ORIGIN } from "../helpers/http";
import { TestBrowser } from "../helpers/browser";
import { basic, tokenRequest } from "../helpers/codes";

/**
 * Dependencies that fail, for the degradation tests. The worker is the real one (its
 * Hono app, the real shards, D1, KV and actors); only the binding under test is
 * replaced in the env the worker is handed, the way an outage looks to the router.
 */

/** Counts the calls an unavailable dependency refused: proof that the router asked, and how often. */
export class Outage {
  calls = 0;
  refuse(message: string): Promise<never> {
    this.calls++;
    return Promise.reject(new Error(`${message} (simulated outage)`));
  }
}

/** A Durable Object namespace whose object cannot be reached: every RPC rejects, as an overloaded or unreachable object's does. */
export function unreachableActor<T extends Rpc.DurableObjectBranded | undefined>(ns: DurableObjectNamespace<T>, outage: Outage): DurableObjectNamespace<T> {
  const stub = new Proxy(
    {},
    {
      get(_target, prop) {
        // Not a thenable: awaiting the stub itself must not count as a call.
        if (typeof prop !== "string" || prop === "then") return undefined;
        return () => outage.refuse("Durable Object is overloaded. Requests queued for too long.");
      },
    },
  );
  return new Proxy(ns, {
    get(target, prop) {
      if (prop === "get" || prop === "getByName") return () => stub;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A D1 database that cannot be reached: statements prepare, and every execution rejects. */
export function unreachableD1(outage: Outage): D1Database {
  const fail = () => outage.refuse("D1_ERROR: Network connection lost.");
  const statement = { bind: () => statement, first: fail, all: fail, run: fail, raw: fail };
  return { prepare: () => statement, batch: fail, exec: fail, dump: fail, withSession: () => ({ prepare: () => statement, batch: fail }) } as unknown as D1Database;
}

/** A KV namespace with nothing in it (a deployment whose directory never published). */
export function emptyKv(): KVNamespace {
  return { get: async () => null } as unknown as KVNamespace;
}

/** A KV namespace that cannot be reached. */
export function unreachableKv(outage: Outage): KVNamespace {
  const fail = () => outage.refuse("KV GET failed: 503 Service Unavailable");
  return { get: fail, put: fail, list: fail, delete: fail, getWithMetadata: fail } as unknown as KVNamespace;
}

/** The worker's env with some bindings (or variables) replaced. */
export function envWith(overrides: Partial<Env>): Env {
  return { ...(env as Env), ...overrides };
}

/** Sends a request to the worker as it runs with `workerEnv`; redirects are not followed. */
export function sender(workerEnv: Env): (path: string, init?: RequestInit) => Promise<Response> {
  return async (path, init = {}) => app.fetch(new Request(new URL(path, ORIGIN), { redirect: "manual", ...init }), workerEnv, createExecutionContext());
}

/** A browser with `browser`'s cookies whose requests reach the worker running with `workerEnv`. */
export function browserWith(workerEnv: Env, browser: TestBrowser): TestBrowser {
  return new TestBrowser(sender(workerEnv), browser.cookies);
}

/** POST /token with a refresh token, through the worker running with `workerEnv`. */
export function refreshWith(workerEnv: Env, client: { clientId: string; secret?: string | undefined }, refreshToken: string): Promise<Response> {
  return sender(workerEnv)("/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...basic(client.clientId, client.secret!) },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }).toString(),
  });
}

/** The same refresh through the healthy worker. */
export function refreshHealthy(client: { clientId: string; secret?: string | undefined }, refreshToken: string): Promise<Response> {
  return tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken }, basic(client.clientId, client.secret!));
}

/** What a JSON 503 must carry: temporarily_unavailable, a Retry-After of whole seconds, no store. */
export async function expectUnavailable(res: Response): Promise<void> {
  expect(res.status).toBe(503);
  expect(res.headers.get("Retry-After")).toMatch(/^[1-9]\d*$/);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  expect(await res.json()).toMatchObject({ error: "temporarily_unavailable" });
}

/**
 * The router asked the failing dependency, and not per request: after the k-th failure
 * it waits at least 0.5 · 2^(k-1) s, so in `elapsedMs` it can have asked at most
 * 1 + elapsedMs / 500 times however many requests it served.
 */
export function expectBackedOff(outage: Outage, startedAt: number, requests: number): void {
  const bound = 1 + Math.floor((Date.now() - startedAt) / 500);
  expect(outage.calls).toBeGreaterThanOrEqual(1);
  expect(outage.calls).toBeLessThanOrEqual(bound);
  expect(outage.calls).toBeLessThan(requests);
}
