import { fail, ok, type ShardResult } from "../results";
import type { AssertionGrant, AssertionGrantInput, SpendAssertionInput } from "./api";
import { appendEvent } from "./outbox";
import { firstRow } from "./raw";
import { USER_COLUMNS, userViewOf, type UserColumns } from "./users";

/**
 * Marks an assertion used. INSERT OR IGNORE decides in one statement, inside the
 * actor's transaction: of any number of concurrent requests carrying the same
 * assertion exactly one inserts the row, the others see it and are refused
 * (RFC 7523 §3 item 7: the `jti` may be used only once).
 */
export function spendAssertion(sql: SqlStorage, input: SpendAssertionInput, now: number): ShardResult<object> {
  if (input.expiresAt <= now) return fail("invalid_grant", "the assertion has expired");
  const inserted = sql.exec("INSERT OR IGNORE INTO spent_assertions (key_hash, bucket, expires_at) VALUES (?, ?, ?)", input.keyHash, input.bucket, input.expiresAt);
  if (inserted.rowsWritten === 0) return fail("invalid_grant", "the assertion's jti was already used");
  return ok({});
}

/**
 * A JWT bearer assertion about a user (RFC 7523 §2.1), in the user's shard: the user
 * must exist and be enabled, the assertion is spent, and a grant without session or
 * refresh family is written so /userinfo, /introspect and /revoke treat the access
 * token like any other — one transaction, so a refused request writes nothing.
 */
export function issueAssertionGrant(sql: SqlStorage, input: AssertionGrantInput, now: number): ShardResult<AssertionGrant> {
  const user = firstRow<UserColumns>(sql.exec(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = ? AND u.bucket = ?`, input.userId, input.bucket));
  if (!user || user.u_id === null) return fail("invalid_grant", "the assertion's subject is not a user of this provider");
  if (user.u_disabled) return fail("invalid_grant", "the assertion's subject is a disabled user");
  const spent = spendAssertion(sql, input, now);
  if (!spent.ok) return spent;
  sql.exec(
    `INSERT INTO grants (id, bucket, user_id, client_id, sid, scope, auth_time, offline, refresh_hash, refresh_generation,
      created_at, last_used_at, expires_at, revoked_at, revoke_reason) VALUES (?, ?, ?, ?, NULL, ?, ?, 0, NULL, 0, ?, ?, ?, NULL, NULL)`,
    input.grantId,
    input.bucket,
    input.userId,
    input.clientId,
    input.scope,
    Math.floor(now / 1000),
    now,
    now,
    now + input.grantTtlS * 1000,
  );
  appendEvent(sql, { bucket: input.bucket, type: "token.issued", userId: input.userId, clientId: input.clientId, data: { grant: input.grantId, offline: false, assertion_issuer: input.issuer } }, now);
  return ok({ user: userViewOf(user) });
}
