import { storedScope } from "../../oauth/scopes";
import type { JWTPayload } from "jose";
import type { Env } from "../../env";
import { bucketOfArtifact, grantOfRefreshToken } from "../../oauth/artifacts";
import { sha256 } from "../../oauth/secrets";
import { bucketOf } from "../../shard/bucket";
import type { Config } from "../../config";
import { OAuthError } from "../errors";
import { verifyJwt } from "../keys/cache";
import { callShard } from "../shards/call";
import { isUserId } from "../users/service";
import { ACCESS_TOKEN_TYP } from "./issue";
import type { DpopProofRecord } from "../../actors/user-shard/api";

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

/** The claims every access token of ours carries (see signAccessToken), and `gid` on a user's token. */
interface AccessClaims {
  sub: string;
  clientId: string;
  scope: string;
  jti: string;
  exp: number;
  iat: number;
  /** The grant in the user's shard; absent on a client's own token (client_credentials). */
  gid?: string;
}

type ParsedAccessClaims = { ok: true; claims: AccessClaims } | { ok: false; problem: "missing" | "gid_without_user" };

/**
 * Reads the claims of a verified access token payload. A token that lacks one of
 * them, or names a grant without a user as subject, is not one we issued as an
 * access token, whatever its signature says.
 */
export function parseAccessClaims(payload: JWTPayload): ParsedAccessClaims {
  const { sub, client_id: clientId, scope, jti, exp, iat, gid } = payload as Record<string, unknown>;
  if (typeof sub !== "string" || typeof clientId !== "string" || typeof scope !== "string" || typeof jti !== "string") return { ok: false, problem: "missing" };
  // verifyJwt already requires both as numbers; checked again so the types say so.
  if (typeof exp !== "number" || typeof iat !== "number") return { ok: false, problem: "missing" };
  const claims: AccessClaims = { sub, clientId, scope, jti, exp, iat };
  if (gid !== undefined) {
    if (typeof gid !== "string" || !isUserId(sub)) return { ok: false, problem: "gid_without_user" };
    claims.gid = gid;
  }
  return { ok: true, claims };
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
  const parsed = parseAccessClaims(verified.payload);
  if (!parsed.ok && parsed.problem === "missing") {
    throw refused(role, "lacks the claims of an access token issued here", "sub, client_id, scope, jti or exp missing");
  }
  if (!parsed.ok) throw refused(role, "is not an access token issued here", "gid without a user sub");
  const { sub, clientId, scope, exp, jti, gid } = parsed.claims;
  const p = verified.payload as Record<string, unknown>;
  const { sid, auth_time: authTime, acr } = p;
  if ((sid !== undefined && typeof sid !== "string") || (authTime !== undefined && typeof authTime !== "number") || (acr !== undefined && typeof acr !== "string")) {
    throw refused(role, "is not an access token issued here", "sid, auth_time or acr mistyped");
  }
  const act = p.act === undefined ? null : parseAct(p.act);
  if (p.act !== undefined && act === null) throw refused(role, "is not an access token issued here", "malformed act claim");
  const presented: Presented = { role, sub, clientId, scope: [...storedScope(scope)], exp, jti, actDepth: act?.depth ?? 0 };
  if (gid !== undefined) presented.gid = gid;
  if (typeof sid === "string") presented.sid = sid;
  if (typeof authTime === "number") presented.authTime = authTime;
  if (typeof acr === "string") presented.acr = acr;
  if (act !== null) presented.act = act.act;
  return presented;
}

/**
 * One shard call (the /userinfo check): the user's token — by jti — its grant, its
 * session and the user are live; on success, the user's current claims.
 */
export function userTokenLive(env: Env, config: Config, token: { sub: string; gid: string; jti: string }, proof: DpopProofRecord | null = null) {
  const { sub, gid, jti } = token;
  const bucket = bucketOf(sub);
  return callShard(env, config, bucket, (shard) => shard.userinfo(bucket, sub, gid, jti, proof));
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
  const result = await userTokenLive(env, config, { sub, gid, jti });
  if (!result.ok) throw refused(token.role, "has been revoked or its grant has ended", result.detail ?? result.error);
}

/** Where a user's access token lives: its user's shard, and the grant it came from. */
interface UserTokenRef {
  bucket: number;
  userId: string;
  grantId: string;
}

/** A token presented to /revoke or /introspect, recognised by its format alone. */
export type PresentedToken =
  | {
      kind: "access";
      /** Null for a client's own token (client_credentials): it has no user, no grant and no shard state. */
      user: UserTokenRef | null;
      jti: string;
      clientId: string;
      scope: string;
      exp: number;
      iat: number;
      payload: JWTPayload;
    }
  | { kind: "refresh"; bucket: number; grantId: string; tokenHash: string }
  | { kind: "unknown" };

const UNKNOWN: PresentedToken = { kind: "unknown" };

/**
 * What a token presented to /revoke or /introspect is. The two formats cannot be
 * confused (refresh tokens are `r.<bucket>.<grant>.<secret>`, access tokens are
 * JWTs), so `token_type_hint` is never needed and is ignored (RFC 7009 §2.1 /
 * RFC 7662 §2.1 let the server do that). Only an access token that verifies as
 * ours (signature, issuer, `typ: at+jwt`, not expired) is one; anything else is
 * unknown. Any audience is accepted: a token exchanged for an API (RFC 8693) names
 * that API.
 */
export async function readPresentedToken(env: Env, config: Config, token: string): Promise<PresentedToken> {
  if (token.startsWith("r.")) {
    const bucket = bucketOfArtifact("r", token);
    const grantId = grantOfRefreshToken(token);
    return bucket === null || grantId === null ? UNKNOWN : { kind: "refresh", bucket, grantId, tokenHash: await sha256(token) };
  }
  const verified = await verifyJwt(env, config, token, { typ: ACCESS_TOKEN_TYP });
  if (!verified.ok) return UNKNOWN;
  const parsed = parseAccessClaims(verified.payload);
  if (!parsed.ok) return UNKNOWN;
  const { sub, gid, jti, clientId, scope, exp, iat } = parsed.claims;
  const user = gid === undefined ? null : { bucket: bucketOf(sub), userId: sub, grantId: gid };
  return { kind: "access", user, jti, clientId, scope, exp, iat, payload: verified.payload };
}
