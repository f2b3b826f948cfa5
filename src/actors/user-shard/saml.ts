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

const UPSERT_PARTICIPANT = `INSERT INTO saml_participants (sid, sp_entity_id, bucket, user_id, name_id_format, name_id, session_index, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sid, sp_entity_id) DO UPDATE SET name_id_format = excluded.name_id_format, name_id = excluded.name_id,
session_index = excluded.session_index, created_at = excluded.created_at`;

/**
 * The SP becomes a participant of the session (SAML Profiles §4.4): the NameID and SessionIndex
 * its assertion carries (the SessionIndex is the sid, as respond.tsx puts it in the
 * AuthnStatement), for the LogoutRequest sent when the session ends. Email and user-id NameIDs
 * are stored as issued; a persistent one is derived again from the user id (it never changes).
 */
function recordParticipant(sql: SqlStorage, input: SamlSubjectInput, sid: string, user: { id: string; email: string }, now: number): void {
  const nameId = input.nameIdFormat === "email" ? user.email : input.nameIdFormat === "unspecified" ? user.id : null;
  sql.exec(UPSERT_PARTICIPANT, sid, input.entityId, input.bucket, user.id, input.nameIdFormat, nameId, sid, now);
}

/**
 * The live session's user and how they signed in, for an assertion to an SP; the
 * assertion is audited in the same transaction (saml.assertion_issued), so every
 * assertion handed out has its event, and the SP recorded as a participant of the session. login_required without a live session.
 */
export function samlSubject(sql: SqlStorage, input: SamlSubjectInput, now: number): ShardResult<SamlSubject> {
  const row = firstRow<SubjectRow>(sql.exec(READ_SUBJECT, input.sessionHash, input.bucket));
  if (!row || now >= row.idle_expires_at || now >= row.expires_at) return fail("login_required", "no live session");
  if (row.u_id === null || row.u_disabled) return fail("login_required", "the user is disabled");
  const user = userViewOf(row);
  appendEvent(sql, { bucket: input.bucket, type: "saml.assertion_issued", userId: user.id, data: { sp: input.entityId, sid: row.sid } }, now);
  recordParticipant(sql, input, row.sid, user, now);
  return ok({ user, sid: row.sid, authTime: row.auth_time, acr: row.acr, amr: row.amr.split(" ").filter(Boolean) });
}
