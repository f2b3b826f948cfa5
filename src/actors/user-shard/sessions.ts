import { and, eq, isNull } from "drizzle-orm";
import { sessions } from "../../../schema/do/user-shard/tables";
import type { ShardTx } from "./db";
import type { NewSession } from "./api";

export type SessionRow = typeof sessions.$inferSelect;

export interface SessionLifetimes {
  idleTtlS: number;
  maxTtlS: number;
}

/** Whether a session has idled out or reached its absolute end (ended_at aside). */
export function sessionExpired(row: Pick<SessionRow, "idleExpiresAt" | "expiresAt">, now: number): boolean {
  return now >= row.idleExpiresAt || now >= row.expiresAt;
}

/** The session behind a cookie hash if it has not ended, idled out or reached its absolute end. */
export function liveSession(tx: ShardTx, bucket: number, idHash: string, now: number): SessionRow | undefined {
  const row = tx
    .select()
    .from(sessions)
    .where(and(eq(sessions.idHash, idHash), eq(sessions.bucket, bucket), isNull(sessions.endedAt)))
    .get();
  if (!row || sessionExpired(row, now)) return undefined;
  return row;
}

export function createSession(
  tx: ShardTx,
  bucket: number,
  userId: string,
  session: NewSession,
  lifetimes: SessionLifetimes,
  amr: string[],
  now: number,
): SessionRow {
  const expiresAt = now + lifetimes.maxTtlS * 1000;
  const row: SessionRow = {
    idHash: session.idHash,
    sid: session.sid,
    bucket,
    userId,
    authTime: Math.floor(now / 1000),
    lastSeenAt: now,
    idleExpiresAt: Math.min(now + lifetimes.idleTtlS * 1000, expiresAt),
    expiresAt,
    amr: amr.join(" "),
    acr: "1",
    endedAt: null,
  };
  tx.insert(sessions).values(row).run();
  return row;
}

/** Each use of a session pushes its idle end forward, never past its absolute end. */
export function touchSession(tx: ShardTx, row: SessionRow, lifetimes: SessionLifetimes, now: number): void {
  const idleExpiresAt = nextIdleExpiry(row.idleExpiresAt, row.expiresAt, lifetimes, now);
  if (idleExpiresAt !== null) tx.update(sessions).set({ lastSeenAt: now, idleExpiresAt }).where(eq(sessions.idHash, row.idHash)).run();
}

/** The new idle end after a use, or null when it moves less than a minute (a write per request saved). */
export function nextIdleExpiry(idleExpiresAt: number, expiresAt: number, lifetimes: SessionLifetimes, now: number): number | null {
  const next = Math.min(now + lifetimes.idleTtlS * 1000, expiresAt);
  return next - idleExpiresAt < 60_000 ? null : next;
}
