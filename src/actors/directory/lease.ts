import { eq } from "drizzle-orm";
import * as tables from "../../../schema/do/directory/tables";
import { fail, type Failure } from "../results";
import type { DirectoryDb, DirectoryTx } from "./db";
import type { Lease } from "./api";

/**
 * The operators' lease on bucket moves. Whoever holds it may start and drive
 * moves; another operator is refused until it is released or expires, so two
 * operators never run conflicting moves. Every step renews it, so a driver that
 * crashed loses it within LEASE_MS and anyone can resume.
 */
export const MOVE_LEASE = "moves";
export const LEASE_MS = 30_000;

export function validHolder(holder: unknown): holder is string {
  return typeof holder === "string" && holder.length >= 1 && holder.length <= 200;
}

/** Takes or renews the lease for `holder`; refused while someone else holds it. */
export function acquireLease(tx: DirectoryTx, holder: string, now: number): Failure<"lease_held"> | null {
  const lease = tx.select().from(tables.leases).where(eq(tables.leases.name, MOVE_LEASE)).get();
  if (lease && lease.holder !== holder && lease.expiresAt > now) {
    return fail("lease_held", `bucket moves are leased by ${lease.holder} until ${new Date(lease.expiresAt).toISOString()}`);
  }
  const acquiredAt = lease && lease.holder === holder && lease.expiresAt > now ? lease.acquiredAt : now;
  tx.insert(tables.leases)
    .values({ name: MOVE_LEASE, holder, acquiredAt, expiresAt: now + LEASE_MS })
    .onConflictDoUpdate({ target: tables.leases.name, set: { holder, acquiredAt, expiresAt: now + LEASE_MS } })
    .run();
  return null;
}

/** Gives the lease up, if `holder` has it. */
export function releaseLease(tx: DirectoryTx, holder: string): boolean {
  const lease = tx.select().from(tables.leases).where(eq(tables.leases.name, MOVE_LEASE)).get();
  if (!lease || lease.holder !== holder) return false;
  tx.delete(tables.leases).where(eq(tables.leases.name, MOVE_LEASE)).run();
  return true;
}

/** The lease while it is held, else null. */
export function currentLease(db: DirectoryDb | DirectoryTx, now: number): Lease | null {
  const lease = db.select().from(tables.leases).where(eq(tables.leases.name, MOVE_LEASE)).get();
  return lease && lease.expiresAt > now ? { holder: lease.holder, acquiredAt: lease.acquiredAt, expiresAt: lease.expiresAt } : null;
}
