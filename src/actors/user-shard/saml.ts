import { fail, ok, type ShardResult } from "../results";
import type { SamlSubject, SamlSubjectInput } from "./api/saml";
import { appendEvent } from "./outbox";
import { firstRow } from "./raw";
import { USER_COLUMNS, userViewOf, type UserColumns } from "./users";

/** SAML 2.0 IdP: the session's user, in the user's own shard (src/router/saml). */

interface SubjectRow extends UserColumns {
  sid: string;
  auth_time: number;
  acr: string;
  amr: string;
  idle_expires_at: number;
  expires_at: number;
}

const READ_SUBJECT = `SELECT s.sid, s.auth_time, s.acr, s.amr, s.idle_expires_at, s.expires_at, ${USER_COLUMNS}
FROM sessions s LEFT JOIN users u ON u.id = s.user_id
WHERE s.id_hash = ? AND s.bucket = ? AND s.ended_at IS NULL`;

/**
 * The live session's user and how they signed in, for an assertion to an SP; the
 * assertion is audited in the same transaction (saml.assertion_issued), so every
 * assertion handed out has its event. login_required without a live session.
 */
export function samlSubject(sql: SqlStorage, input: SamlSubjectInput, now: number): ShardResult<SamlSubject> {
  const row = firstRow<SubjectRow>(sql.exec(READ_SUBJECT, input.sessionHash, input.bucket));
  if (!row || now >= row.idle_expires_at || now >= row.expires_at) return fail("login_required", "no live session");
  if (row.u_id === null || row.u_disabled) return fail("login_required", "the user is disabled");
  const user = userViewOf(row);
  appendEvent(sql, { bucket: input.bucket, type: "saml.assertion_issued", userId: user.id, data: { sp: input.entityId, sid: row.sid } }, now);
  return ok({ user, sid: row.sid, authTime: row.auth_time, acr: row.acr, amr: row.amr.split(" ").filter(Boolean) });
}
