import { Hono } from "hono/tiny";
import { publishedJwks } from "../keys/cache";
import type { AppEnv } from "../types";

/** Longest time a relying party or CDN may keep our JWKS without asking again. */
const MAX_AGE_S = 300;

/**
 * The JWK Set (RFC 7517 §5) named by `jwks_uri`: active, next and still-needed retired
 * public keys. Served from the isolate's key cache, so no actor call per request. The
 * max-age stays within the key-cache TTL: a relying party never holds a JWKS older than
 * what the router itself would trust, and the next key is in it well before it signs.
 */
export const jwks = new Hono<AppEnv>().get("/jwks.json", async (c) => {
  const config = c.var.config;
  const maxAge = Math.min(MAX_AGE_S, Math.floor(config.keyCacheTtlMs / 1000));
  const body = await publishedJwks(c.env, config);
  c.header("Cache-Control", `public, max-age=${maxAge}`);
  c.header("Access-Control-Allow-Origin", "*");
  // RFC 7517 §8.5.1 registers application/jwk-set+json; clients also accept it as JSON.
  c.header("Content-Type", "application/jwk-set+json");
  return c.body(JSON.stringify(body));
});
