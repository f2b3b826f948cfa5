import type { Env } from "./env";
import { ConfigError, parseInteger } from "./config-parse";

/* The configuration of federation: sign in with upstream identity providers. */

export interface FederationConfig {
  /**
   * FEDERATION_SECRET_KEY: the AES-256-GCM key upstream client secrets (in D1) and, where an
   * operator keeps them, upstream tokens (in the shards) are sealed with; null: no upstream
   * with a client secret can be added, and no sign-in through one works.
   */
  readonly secretKey: string | null;
  /** FEDERATION_TIMEOUT_MS: how long a call to an upstream (token, userinfo, JWKS) may take. */
  readonly timeoutMs: number;
}

/**
 * Upstream client secrets must be sent to the upstream, so they are sealed, not hashed.
 * Local runs (a loopback issuer) get a fixed, public key, like MFA_SECRET_KEY; a public
 * issuer must be given its own.
 */
const DEV_FEDERATION_SECRET_KEY = "YXV0aHNoYXJkLWxvY2FsLWRldi1mZWRlcmF0aW9uISE";

export function parseFederation(env: Partial<Env>, loopback: boolean): FederationConfig {
  const raw = env.FEDERATION_SECRET_KEY?.trim() ?? "";
  if (raw !== "" && !/^[A-Za-z0-9_-]{43}$/.test(raw)) {
    throw new ConfigError("FEDERATION_SECRET_KEY", "must be base64url of 32 random bytes (43 characters), e.g. from `openssl rand -base64 32 | tr '+/' '-_' | tr -d =`");
  }
  const secretKey = raw !== "" ? raw : loopback ? DEV_FEDERATION_SECRET_KEY : null;
  return Object.freeze({ secretKey, timeoutMs: parseInteger("FEDERATION_TIMEOUT_MS", env.FEDERATION_TIMEOUT_MS, 5_000, 500, 30_000) });
}
