import { and, eq } from "drizzle-orm";
import { grants, revokedTokens, sessions, users } from "../../../schema/do/user-shard/tables";
import { fail, ok, type ShardResult } from "../results";
import type { ShardTx } from "./db";
import { sessionExpired } from "./sessions";
import { toView } from "./users";
import type { AccessTokenRef, UserView } from "./api";

type GrantRow = typeof grants.$inferSelect;

/**
 * Whether a session-bound grant's session is over. Only grants without
 * offline_access die with their session: a refresh family is meant to outlive
 * the browser session (OIDC Core §11). A session row swept away counts as ended.
 */
function sessionEnded(tx: ShardTx, grant: GrantRow, now: number): boolean {
  if (grant.offline || grant.sid === null) return false;
  const session = tx.select().from(sessions).where(and(eq(sessions.sid, grant.sid), eq(sessions.bucket, grant.bucket))).get();
  return !session || session.endedAt !== null || sessionExpired(session, now);
}

/** Whether this access token was revoked on its own at /revoke (RFC 7009), before its expiry. */
function isRevokedAccess(tx: ShardTx, bucket: number, jti: string): boolean {
  return tx.select({ jti: revokedTokens.jti }).from(revokedTokens).where(and(eq(revokedTokens.jti, jti), eq(revokedTokens.bucket, bucket))).get() !== undefined;
}

/**
 * Whether an access token is still live: its grant not revoked (code replay,
 * logout, theft detection, revocation of its refresh family), not past its end,
 * its session not over (unless the grant is offline), the token itself not
 * revoked by jti, and its user not disabled. /userinfo and /introspect both ask
 * this, so they never disagree about a token.
 */
export function liveGrantUser(tx: ShardTx, token: AccessTokenRef, now: number): ShardResult<{ user: UserView; scope: string }> {
  const grant = tx
    .select()
    .from(grants)
    .where(and(eq(grants.id, token.grantId), eq(grants.bucket, token.bucket), eq(grants.userId, token.userId)))
    .get();
  if (!grant) return fail("invalid_token", "unknown grant");
  if (grant.revokedAt !== null) return fail("invalid_token", "the grant behind this token was revoked");
  if (now >= grant.expiresAt) return fail("invalid_token", "the grant behind this token has ended");
  if (isRevokedAccess(tx, token.bucket, token.jti)) return fail("invalid_token", "the access token was revoked");
  if (sessionEnded(tx, grant, now)) return fail("invalid_token", "the session behind this token has ended");
  const user = tx.select().from(users).where(eq(users.id, token.userId)).get();
  if (!user || user.disabled) return fail("invalid_token", "the user is disabled");
  return ok({ user: toView(user), scope: grant.scope });
}
