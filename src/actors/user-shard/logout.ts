import { and, desc, eq, isNull } from "drizzle-orm";
import { grants, samlParticipants, sessions } from "../../../schema/do/user-shard/tables";
import { fail, ok, type ShardResult } from "../results";
import type { ShardTx } from "./db";
import { appendEvent } from "./outbox";
import { revokeGrant } from "./refresh";
import { sessionExpired, type SessionRow } from "./sessions";
import { findUser } from "./users";
import type { EndContext, Ended, SamlNameIdFormat, SamlParticipant, SessionView } from "./api";

/** The SAML SPs of the session (SAML Profiles §4.4), taken out: each is sent one LogoutRequest. */
function takeSamlParticipants(tx: ShardTx, row: SessionRow): SamlParticipant[] {
  const where = and(eq(samlParticipants.bucket, row.bucket), eq(samlParticipants.sid, row.sid));
  const rows = tx.select().from(samlParticipants).where(where).orderBy(samlParticipants.spEntityId).all();
  if (rows.length) tx.delete(samlParticipants).where(where).run();
  return rows.map((p) => ({ entityId: p.spEntityId, nameIdFormat: p.nameIdFormat as SamlNameIdFormat, nameId: p.nameId, sessionIndex: p.sessionIndex }));
}

/**
 * Ends one session row: ended_at set, every grant bound to its sid revoked except
 * the offline families of surviving clients (whose access tokens live on with
 * them: they are checked against the grant, and an offline grant does not die
 * with its session). An idled-out session is ended too, so its families die.
 */
function endRow(tx: ShardTx, row: SessionRow, context: EndContext, now: number): Ended {
  if (row.endedAt !== null) return { outcome: "already_ended", sid: row.sid, userId: row.userId };
  tx.update(sessions).set({ endedAt: now }).where(eq(sessions.idHash, row.idHash)).run();
  const surviving = new Set(context.survivingClients);
  const bound = tx
    .select()
    .from(grants)
    .where(and(eq(grants.bucket, row.bucket), eq(grants.userId, row.userId), eq(grants.sid, row.sid), isNull(grants.revokedAt)))
    .all();
  let kept = 0;
  for (const grant of bound) {
    if (grant.offline && surviving.has(grant.clientId)) kept++;
    else revokeGrant(tx, grant, "logout", now);
  }
  const revoked = bound.length - kept;
  // Every client that took part in the session (grants revoked earlier included): each is told
  // by back-channel logout, and shown the front-channel iframe, whatever became of its tokens.
  const clients = [
    ...new Set(
      tx
        .selectDistinct({ clientId: grants.clientId })
        .from(grants)
        .where(and(eq(grants.bucket, row.bucket), eq(grants.userId, row.userId), eq(grants.sid, row.sid)))
        .all()
        .map((g) => g.clientId),
    ),
  ].sort();
  const saml = takeSamlParticipants(tx, row);
  appendEvent(
    tx,
    {
      bucket: row.bucket,
      type: "logout",
      userId: row.userId,
      clientId: context.clientId,
      data: { sid: row.sid, initiator: context.initiator, revoked_grants: revoked, kept_grants: kept, clients, saml_sps: saml.map((p) => p.entityId) },
    },
    now,
  );
  return { outcome: "ended", sid: row.sid, userId: row.userId, revokedGrants: revoked, keptGrants: kept, clients, samlParticipants: saml };
}

/**
 * The browser's session, by the hash of its cookie. With an id_token_hint the
 * router passes its subject: a session of another user is left alone.
 */
export function endSessionByHash(
  tx: ShardTx,
  bucket: number,
  sessionHash: string,
  expectedSub: string | null,
  context: EndContext,
  now: number,
): ShardResult<Ended> {
  const row = tx.select().from(sessions).where(and(eq(sessions.idHash, sessionHash), eq(sessions.bucket, bucket))).get();
  if (!row) return ok({ outcome: "no_session" });
  if (expectedSub !== null && row.userId !== expectedSub) return ok({ outcome: "other_user" });
  return ok(endRow(tx, row, context, now));
}

/**
 * One session of a user by its public id: the operator API, and logout with an
 * id_token_hint when the browser sent no cookie (a cross-site form POST does not
 * carry a SameSite=Lax cookie).
 */
export function endSessionBySid(tx: ShardTx, bucket: number, userId: string, sid: string, context: EndContext, now: number): ShardResult<Ended> {
  const row = tx
    .select()
    .from(sessions)
    .where(and(eq(sessions.sid, sid), eq(sessions.bucket, bucket), eq(sessions.userId, userId)))
    .get();
  if (!row) return fail("not_found", "no such session");
  return ok(endRow(tx, row, context, now));
}

/** Every session of a user that has not ended yet ("sign out everywhere"). */
export function endAllSessions(tx: ShardTx, bucket: number, userId: string, context: EndContext, now: number): ShardResult<{ ended: string[] }> {
  if (!findUser(tx, bucket, userId)) return fail("not_found", "no such user");
  const open = tx
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), eq(sessions.bucket, bucket), isNull(sessions.endedAt)))
    .all();
  return ok({ ended: open.map((row) => endRow(tx, row, context, now)).flatMap((e) => (e.outcome === "ended" ? [e.sid] : [])) });
}

/** Newest first; bounded, since a script signing in in a loop can open many. */
export const MAX_LISTED_SESSIONS = 200;

export function listSessions(tx: ShardTx, bucket: number, userId: string, now: number): ShardResult<{ sessions: SessionView[] }> {
  if (!findUser(tx, bucket, userId)) return fail("not_found", "no such user");
  const rows = tx
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), eq(sessions.bucket, bucket)))
    .orderBy(desc(sessions.authTime), desc(sessions.lastSeenAt))
    .limit(MAX_LISTED_SESSIONS)
    .all();
  return ok({
    sessions: rows.map((row) => ({
      sid: row.sid,
      state: row.endedAt !== null ? "ended" : sessionExpired(row, now) ? "expired" : "active",
      auth_time: row.authTime,
      amr: row.amr.split(" ").filter(Boolean),
      acr: row.acr,
      last_seen_at: row.lastSeenAt,
      idle_expires_at: row.idleExpiresAt,
      expires_at: row.expiresAt,
      ended_at: row.endedAt,
    })),
  });
}
