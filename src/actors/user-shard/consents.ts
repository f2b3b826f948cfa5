import { and, eq, isNull } from "drizzle-orm";
import { consents, grants } from "../../../schema/do/user-shard/tables";
import { storedScope, type Scope } from "../../oauth/scopes";
import type { ShardTx } from "./db";
import { appendEvent } from "./outbox";
import type { ConsentView } from "./api";

/** Scopes the user has already allowed this client, empty if none. */
export function grantedScopes(tx: ShardTx, bucket: number, userId: string, clientId: string): Scope {
  const row = tx
    .select({ scope: consents.scope })
    .from(consents)
    .where(and(eq(consents.userId, userId), eq(consents.clientId, clientId), eq(consents.bucket, bucket)))
    .get();
  return storedScope(row?.scope ?? "");
}

/** Remembers the union of what was allowed before and what is allowed now. */
export function recordConsent(tx: ShardTx, bucket: number, userId: string, clientId: string, scope: string, now: number): void {
  const merged = [...new Set([...grantedScopes(tx, bucket, userId, clientId), ...storedScope(scope)])].sort().join(" ");
  tx.insert(consents)
    .values({ userId, clientId, bucket, scope: merged, grantedAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: [consents.userId, consents.clientId], set: { scope: merged, updatedAt: now } })
    .run();
  appendEvent(tx, { bucket, type: "consent.granted", userId, clientId, data: { scope } }, now);
}

export function listConsents(tx: ShardTx, bucket: number, userId: string): ConsentView[] {
  return tx
    .select()
    .from(consents)
    .where(and(eq(consents.userId, userId), eq(consents.bucket, bucket)))
    .all()
    .map((r) => ({ client_id: r.clientId, scope: r.scope, granted_at: r.grantedAt, updated_at: r.updatedAt }));
}

/**
 * Withdraws a user's consent for a client and, in the same transaction, ends every
 * grant the client holds for the user: its refresh families and access tokens stop
 * working at their next use. Idempotent.
 */
export function revokeConsent(tx: ShardTx, bucket: number, userId: string, clientId: string, now: number): { revoked: boolean; grants: number } {
  const removed = tx
    .delete(consents)
    .where(and(eq(consents.userId, userId), eq(consents.clientId, clientId), eq(consents.bucket, bucket)))
    .returning({ clientId: consents.clientId })
    .all();
  const ended = tx
    .update(grants)
    .set({ revokedAt: now, revokeReason: "consent_revoked" })
    .where(and(eq(grants.userId, userId), eq(grants.clientId, clientId), eq(grants.bucket, bucket), isNull(grants.revokedAt)))
    .returning({ id: grants.id, sid: grants.sid })
    .all();
  if (removed.length > 0 || ended.length > 0) {
    // The sessions whose grants of this client ended: the client is told per session (back-channel logout).
    const sids = [...new Set(ended.flatMap((g) => (g.sid === null ? [] : [g.sid])))].sort();
    appendEvent(tx, { bucket, type: "consent.revoked", userId, clientId, data: { grants_revoked: ended.length, sids } }, now);
  }
  return { revoked: removed.length > 0, grants: ended.length };
}
