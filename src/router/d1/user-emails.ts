import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { userEmails } from "../../../schema/d1/tables";

/**
 * The global email index in D1. An email is reserved before its user is created
 * in a shard, so two concurrent sign-ups for one address cannot both succeed.
 */
export async function reserveEmail(d1: D1Database, email: string, userId: string): Promise<boolean> {
  const rows = await drizzle(d1)
    .insert(userEmails)
    .values({ email, userId, createdAt: Date.now() })
    .onConflictDoNothing()
    .returning({ email: userEmails.email });
  return rows.length === 1;
}

/** Compensation: drops a reservation, but only the one this user made. */
export async function releaseEmail(d1: D1Database, email: string, userId: string): Promise<void> {
  await drizzle(d1).delete(userEmails).where(and(eq(userEmails.email, email), eq(userEmails.userId, userId)));
}

export async function userIdByEmail(d1: D1Database, email: string): Promise<string | null> {
  const row = await drizzle(d1).select({ userId: userEmails.userId }).from(userEmails).where(eq(userEmails.email, email)).get();
  return row?.userId ?? null;
}
