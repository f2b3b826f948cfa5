import { Hono } from "hono/tiny";
import { keyManagerRpc } from "../../../shard/rpc";
import { forgetKeys } from "../../keys/cache";
import { forgetSamlKeys } from "../../saml/keys";
import type { AppEnv } from "../../types";

/**
 * Operator API for signing keys: list them (state and dates, never private material)
 * and rotate now. Other isolates pick the rotation up within KEY_CACHE_TTL_MS; until
 * then they sign with the key just retired, which stays published long enough.
 */
export const adminKeys = new Hono<AppEnv>()
  .get("/", async (c) => {
    const { keys, rotatesAt } = await keyManagerRpc(c.env).listKeys();
    return c.json({ keys, rotates_at: rotatesAt });
  })
  .post("/rotate", async (c) => {
    const set = await keyManagerRpc(c.env).rotate();
    forgetKeys();
    // SAML 2.0 IdP: its certificates and signing key follow the RS256 key.
    forgetSamlKeys();
    return c.json({
      active: { ES256: set.active.ES256.kid, RS256: set.active.RS256.kid },
      published: set.jwks.map((jwk) => ({ kid: jwk.kid, alg: jwk.alg })),
      rotates_at: set.rotatesAt,
    });
  });
