import type { MiddlewareHandler } from "hono";
import { randomToken, sha256 } from "../../oauth/secrets";
import type { AppEnv } from "../types";
import { ScimError } from "./errors";
import { inD1 } from "../d1/unavailable";

/** The provisioning client a request authenticated as (set by requireScimClient). */
export type ScimEnv = AppEnv & { Variables: AppEnv["Variables"] & { scimClientId: string } };

const TOKEN = /^Bearer (scim_[A-Za-z0-9_-]{43})$/;
const challenge = (error?: string) => ({ "WWW-Authenticate": `Bearer realm="authshard-scim"${error ? `, error="${error}"` : ""}` });

/** A new provisioning token: shown once; D1 keeps only its SHA-256. */
export function newScimToken(): string {
  return `scim_${randomToken(32)}`;
}

/**
 * RFC 7644 §2: bearer token authentication (RFC 6750) per provisioning client. The
 * token's SHA-256 is looked up (a 256-bit random token: the hash lookup leaks nothing
 * a guess could use); a revoked client's token no longer works.
 */
export const requireScimClient = (): MiddlewareHandler<ScimEnv> => async (c, next) => {
  const match = TOKEN.exec(c.req.header("Authorization") ?? "");
  if (!match) throw new ScimError(401, "provisioning requires Authorization: Bearer <SCIM token>", undefined, challenge());
  const hash = await sha256(match[1]!);
  // D1 down: 503 with Retry-After (the IdP retries), before any write is attempted.
  const row = await inD1("SCIM provisioning", () => c.env.DB.prepare("SELECT id FROM scim_clients WHERE token_hash = ? AND revoked_at IS NULL").bind(hash).first<{ id: string }>());
  if (!row) throw new ScimError(401, "the SCIM token is not valid or was revoked", undefined, challenge("invalid_token"));
  c.set("scimClientId", row.id);
  await next();
};
