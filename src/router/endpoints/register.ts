import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { Hono } from "hono/tiny";
import { OAuthError, invalidRequest } from "../errors";
import { noStore } from "../no-store";
import { limitByAddress } from "../rate-limit/middleware";
import { CREDENTIAL_FORMS_IP, type RateLimitRule } from "../rate-limit/rules";
import { deleteClient, readClient, updateClient } from "../registration/configuration";
import type { Input } from "../registration/fields";
import { registerClient } from "../registration/register";
import type { AppEnv } from "../types";

/**
 * Registrations share the login form's per-address counter: both are rare for an honest
 * caller, and each one costs the provider a write. Its own message, the same binding and period.
 */
const REGISTRATIONS: RateLimitRule = { ...CREDENTIAL_FORMS_IP, what: "client registrations from this address" };

/** RFC 7591 §3.1: metadata is a JSON object; 64 KiB is far more than any honest registration. */
const MAX_BODY_BYTES = 64 * 1024;

/** REGISTRATION=off: the endpoints answer exactly as a path that does not exist. */
const registrationOn = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  if (c.var.config.registration === "off") throw new OAuthError("not_found", 404, "no such endpoint");
  await next();
};

const tooLarge = () => {
  throw new OAuthError("invalid_request", 413, `request body too large (limit ${MAX_BODY_BYTES / 1024} KiB)`);
};

const guards = [
  registrationOn(),
  // RFC 7591 §3.2.1: responses carry secrets and must not be cached.
  noStore({ pragma: true }),
  limitByAddress(REGISTRATIONS),
  bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge }),
] as const;

/** The request's client metadata: a JSON object, else 415 (not JSON at all) or 400. */
async function readMetadata(c: Context<AppEnv>): Promise<Input> {
  if (!/^application\/json\b/i.test(c.req.header("Content-Type") ?? "")) {
    throw new OAuthError("invalid_request", 415, "Content-Type must be application/json (RFC 7591 §3.1)");
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw invalidRequest("the request body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalidRequest("the request body must be a JSON object of client metadata (RFC 7591 §3.1)");
  return body as Input;
}

const authorization = (c: Context<AppEnv>) => c.req.header("Authorization") ?? null;

/**
 * Dynamic client registration (RFC 7591 §3) at /register and the client configuration
 * endpoint (RFC 7592) at /register/:client_id. The flows are in src/router/registration.
 */
export const registration = new Hono<AppEnv>()
  .use("/register", ...guards)
  .use("/register/*", ...guards)
  .post("/register", async (c) => c.json(await registerClient(c.env, c.var.config, authorization(c), await readMetadata(c)), 201))
  .get("/register/:client_id", async (c) => c.json(await readClient(c.env, c.var.config, c.req.param("client_id"), authorization(c))))
  .put("/register/:client_id", async (c) =>
    c.json(await updateClient(c.env, c.var.config, c.req.param("client_id"), authorization(c), await readMetadata(c))),
  )
  .delete("/register/:client_id", async (c) => {
    await deleteClient(c.env, c.req.param("client_id"), authorization(c));
    return c.body(null, 204);
  });
