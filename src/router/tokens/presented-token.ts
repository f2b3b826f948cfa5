import type { Env } from "../../env";
import { bucketOf } from "../../shard/bucket";
import type { Config } from "../config";
import { OAuthError } from "../errors";
import { verifyJwt } from "../keys/cache";
import { callShard } from "../shards/call";
import { isUserId } from "../users/service";
import { ACCESS_TOKEN_TYP } from "./issue";

/** The `act` claim of RFC 8693 §4.1: the current actor, and the prior ones nested inside. */
export interface Actor {
  sub: string;
  act?: Actor;
}

/** An access token of ours, presented to the token endpoint as a subject or actor token (RFC 8693 §2.1). */
export interface Presented {
  role: "subject_token" | "actor_token";
  sub: string;
  clientId: string;
  scope: string[];
  exp: number;
  jti: string;
  /** Present on user tokens only: the grant in the user's shard. Client tokens have none. */
  gid?: string;
  sid?: string;
  authTime?: number;
  acr?: string;
  act?: Actor;
  /** How many actors `act` names (0 without one). */
  actDepth: number;
}

/** Far beyond the chain length we issue; a deeper claim is not one we signed as such. */
const MAX_ACT_PARSE_DEPTH = 32;

/**
 * RFC 8693 §2.2.2: a subject or actor token that is "invalid for any reason" —
 * malformed, forged, expired, revoked — is answered with invalid_request. The log
 * gets the precise reason; the client only learns which token was refused.
 */
function refused(role: Presented["role"], description: string, detail: string): OAuthError {
  return new OAuthError("invalid_request", 400, `the ${role} ${description}`, { detail: `${role}: ${detail}` });
}

function parseAct(value: unknown, depth = 1): { act: Actor; depth: number } | null {
  if (depth > MAX_ACT_PARSE_DEPTH || typeof value !== "object" || value === null) return null;
  const { sub, act } = value as { sub?: unknown; act?: unknown };
  if (typeof sub !== "string") return null;
  if (act === undefined) return { act: { sub }, depth };
  const inner = parseAct(act, depth + 1);
  return inner && { act: { sub, act: inner.act }, depth: inner.depth };
}

/**
 * Verifies a presented access token locally: our signature, our issuer, typ at+jwt
 * (RFC 9068 §4; an ID token is not an access token, RFC 8725 §3.11), not expired,
 * and the claims we always put in. Any audience is accepted: a token exchanged for
 * an API may be exchanged again by that API (delegation chains, RFC 8693 §1.1).
 */
export async function verifyPresented(env: Env, config: Config, token: string, role: Presented["role"]): Promise<Presented> {
  const verified = await verifyJwt(env, config, token, { typ: ACCESS_TOKEN_TYP });
  if (!verified.ok) throw refused(role, "is not a valid, unexpired access token issued here", verified.reason);
  const p = verified.payload as Record<string, unknown>;
  const { sub, client_id: clientId, scope, jti, exp, gid, sid, auth_time: authTime, acr } = p;
  if (typeof sub !== "string" || typeof clientId !== "string" || typeof scope !== "string" || typeof jti !== "string" || typeof exp !== "number") {
    throw refused(role, "lacks the claims of an access token issued here", "sub, client_id, scope, jti or exp missing");
  }
  if (gid !== undefined && (typeof gid !== "string" || !isUserId(sub))) throw refused(role, "is not an access token issued here", "gid without a user sub");
  if ((sid !== undefined && typeof sid !== "string") || (authTime !== undefined && typeof authTime !== "number") || (acr !== undefined && typeof acr !== "string")) {
    throw refused(role, "is not an access token issued here", "sid, auth_time or acr mistyped");
  }
  const act = p.act === undefined ? null : parseAct(p.act);
  if (p.act !== undefined && act === null) throw refused(role, "is not an access token issued here", "malformed act claim");
  const presented: Presented = { role, sub, clientId, scope: scope.split(" ").filter((s) => s !== ""), exp, jti, actDepth: act?.depth ?? 0 };
  if (typeof gid === "string") presented.gid = gid;
  if (typeof sid === "string") presented.sid = sid;
  if (typeof authTime === "number") presented.authTime = authTime;
  if (typeof acr === "string") presented.acr = acr;
  if (act !== null) presented.act = act.act;
  return presented;
}

/**
 * For a user token, asks the user's shard — the same check as /userinfo — whether
 * the token is still live: its grant not revoked (code replay, logout, theft
 * detection), the token not revoked by jti, the session not over, the user not
 * disabled. A signature alone cannot tell, and a revoked token must not buy a
 * fresh one. Client tokens have no shard state: their expiry is their only limit.
 */
export async function checkPresentedLive(env: Env, config: Config, token: Presented): Promise<void> {
  const { sub, gid, jti } = token;
  if (gid === undefined) return;
  const bucket = bucketOf(sub);
  const result = await callShard(env, config, bucket, (shard) => shard.userinfo(bucket, sub, gid, jti));
  if (!result.ok) throw refused(token.role, "has been revoked or its grant has ended", result.detail ?? result.error);
}
