import type { Context, Handler, MiddlewareHandler } from "hono";
import { Hono } from "hono/tiny";
import { loadConfig } from "../config";
import { notFound, onError } from "./on-error";
import type { AppEnv } from "./types";

/**
 * Sub-apps whose code loads on their first request.
 *
 * Measured with `npx wrangler check startup`: a worker isolate (the router's, and every
 * shard's, since the actors share the script) evaluates all of its static imports before
 * it serves anything. The operator API and console, SCIM, SAML, passkeys, federation,
 * dynamic registration and the account page carry most of the bundle (XML signatures,
 * WebAuthn attestation and its certificate stack, request schemas) and none of them is on
 * the token, userinfo or sign-in path, so they are imported dynamically here: an isolate
 * pays for one only when a request needs it. In the production build (scripts/build-worker.mjs)
 * each is a module of its own that workerd compiles on that first import.
 *
 * A lazy sub-app is a complete Hono app with the same configuration middleware, its own
 * error handler and the router's not-found answer; the router hands it the request as it
 * came (nothing before it reads the body) and takes back its response, which then passes
 * the router's own middleware (security headers, observability) like any other.
 */
export function lazy(load: () => Promise<{ default: Hono<AppEnv> }>): Handler<AppEnv> {
  let loaded: Hono<AppEnv> | undefined;
  return async (c) => {
    // Each request that finds the module not yet loaded imports it itself: a dynamic import
    // belongs to the request that started it, so a promise shared across requests would hang
    // every later one if that first request were cancelled mid-import. The module registry
    // evaluates the module once either way; what is kept is the app, not a promise.
    const sub = (loaded ??= (await load()).default);
    const response = await sub.fetch(c.req.raw, c.env, executionOf(c));
    // The error the sub-app rendered, for the router's request log and metrics.
    const error = rendered.get(c.req.raw);
    if (error) c.error = error;
    return response;
  };
}

const rendered = new WeakMap<Request, Error>();

/** Sets the validated configuration on the context, as the router does for everything else. */
export function withConfig(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("config", loadConfig(c.env));
    await next();
  };
}

/**
 * A sub-app for lazy(): configured like the router, answering unknown paths and rendering
 * errors as the router does (page sub-apps routed into it keep their own error handler).
 */
export function lazyApp(build: (app: Hono<AppEnv>) => Hono<AppEnv>): Hono<AppEnv> {
  const root = new Hono<AppEnv>().use("*", async (c, next) => {
    await next();
    // Hono keeps the error a handler threw (and an error handler rendered) on the context.
    if (c.error) rendered.set(c.req.raw, c.error);
  });
  const app = build(root.use("*", withConfig()));
  app.onError(onError);
  app.notFound(notFound);
  return app;
}

/** The request's execution context, so background work outlives the response as it would without the hop. */
export function executionOf<E extends AppEnv>(c: Context<E>): Context<E>["executionCtx"] | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
