import { noteD1 } from "../observability/trace";
import { inD1 } from "./unavailable";

/**
 * The global email index in D1. An email is reserved before its user is created
 * in a shard, so two concurrent sign-ups for one address cannot both succeed.
 * (Plain D1 statements, like ./clients.ts; the table is defined in schema/d1.)
 * Signing in by email needs it: while D1 is down that is a 503 (inD1), while
 * everything that starts from a session, a code or a token goes on without it.
 */
const INDEX = "the email index";

export async function reserveEmail(d1: D1Database, email: string, userId: string): Promise<boolean> {
  noteD1();
  const { results } = await inD1(INDEX, () =>
    d1.prepare("INSERT INTO user_emails (email, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING email").bind(email, userId, Date.now()).all(),
  );
  return results.length === 1;
}

/** Compensation: drops a reservation, but only the one this user made. */
export async function releaseEmail(d1: D1Database, email: string, userId: string): Promise<void> {
  noteD1();
  await inD1(INDEX, () => d1.prepare("DELETE FROM user_emails WHERE email = ? AND user_id = ?").bind(email, userId).run());
}

export async function userIdByEmail(d1: D1Database, email: string): Promise<string | null> {
  noteD1();
  return (await inD1(INDEX, () => d1.prepare("SELECT user_id FROM user_emails WHERE email = ?").bind(email).first<string>("user_id"))) ?? null;
}
