import { and, eq } from "drizzle-orm";
import { grants, users } from "../../../schema/do/user-shard/tables";
import { fail, ok, type ShardResult } from "../results";
import type { ShardTx } from "./db";
import { toView, type UserView } from "./users";

/**
 * Whether the grant behind an access token is still live: not revoked (code
 * replay, logout, theft detection), not past its end, and its user not disabled.
 */
export function liveGrantUser(tx: ShardTx, bucket: number, userId: string, grantId: string, now: number): ShardResult<{ user: UserView; scope: string }> {
  const grant = tx
    .select()
    .from(grants)
    .where(and(eq(grants.id, grantId), eq(grants.bucket, bucket), eq(grants.userId, userId)))
    .get();
  if (!grant) return fail("invalid_token", "unknown grant");
  if (grant.revokedAt !== null) return fail("invalid_token", "the grant behind this token was revoked");
  if (now >= grant.expiresAt) return fail("invalid_token", "the grant behind this token has ended");
  const user = tx.select().from(users).where(eq(users.id, userId)).get();
  if (!user || user.disabled) return fail("invalid_token", "the user is disabled");
  return ok({ user: toView(user), scope: grant.scope });
}
