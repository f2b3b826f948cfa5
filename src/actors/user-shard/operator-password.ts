import { credentials } from "../../../schema/do/user-shard/tables";
import { fail, ok, type ShardResult } from "../results";
import { DIRECTORY_VERIFIER } from "./api/ldap";
import type { UserView } from "./api";
import type { ShardTx } from "./db";
import { endAllSessions } from "./logout";
import { appendEvent } from "./outbox";
import { findUser, passwordCredential, toView } from "./users";

/**
 * The operator sets a new password (the console's "reset credentials"): the verifier is
 * replaced, the failure count cleared, and every session of the user ends — whoever held
 * the old password is signed out everywhere. One transaction; audited `password.set`.
 */
export function setPasswordByOperator(tx: ShardTx, bucket: number, id: string, verifier: string, now: number): ShardResult<{ user: UserView; ended: number }> {
  const row = findUser(tx, bucket, id);
  if (!row) return fail("not_found", "no such user");
  if (passwordCredential(tx, bucket, id)?.secret === DIRECTORY_VERIFIER) return fail("conflict", "this user signs in with the directory's password; change it there");
  tx.insert(credentials)
    .values({ userId: id, type: "password", bucket, secret: verifier, failedCount: 0, lastFailedAt: null, updatedAt: now })
    .onConflictDoUpdate({ target: [credentials.userId, credentials.type], set: { secret: verifier, failedCount: 0, lastFailedAt: null, updatedAt: now } })
    .run();
  const ended = endAllSessions(tx, bucket, id, { survivingClients: [], initiator: "user", clientId: null }, now);
  const count = ended.ok ? ended.ended.length : 0;
  appendEvent(tx, { bucket, type: "password.set", userId: id, data: { method: "operator", sessions_ended: count } }, now);
  return ok({ user: toView(row), ended: count });
}
