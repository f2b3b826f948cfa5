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

/** An email of a restored user that the index gives to someone else (or this user under another email). */
export interface EmailConflict {
  email: string;
  user_id: string;
  /** The user the index maps the email to, or null when the index knows this user under another email. */
  held_by: string | null;
}

/**
 * After a bucket is restored: puts every restored user's email back in the index, so
 * they can sign in again where D1 lost them (an older D1, or a new account). Addresses
 * already indexed for the same user are left as they are; one the index gives to
 * another user is left alone too, and reported.
 */
export async function reindexEmails(d1: D1Database, users: ReadonlyArray<readonly [id: string, email: string]>): Promise<{ added: number; conflicts: EmailConflict[] }> {
  const now = Date.now();
  const inserts: D1PreparedStatement[] = [];
  // Three values a row: thirty rows a statement stay under D1's 100 bound parameters.
  for (let i = 0; i < users.length; i += 30) {
    const chunk = users.slice(i, i + 30);
    const values = chunk.map(() => "(?, ?, ?)").join(", ");
    inserts.push(d1.prepare(`INSERT INTO user_emails (email, user_id, created_at) VALUES ${values} ON CONFLICT DO NOTHING RETURNING email`).bind(...chunk.flatMap(([id, email]) => [email, id, now])));
  }
  const added = new Set<string>();
  if (inserts.length > 0) for (const result of await d1.batch<{ email: string }>(inserts)) for (const row of result.results) added.add(row.email);
  const rest = users.filter(([, email]) => !added.has(email));
  const lookups: D1PreparedStatement[] = [];
  for (let i = 0; i < rest.length; i += 90) {
    const chunk = rest.slice(i, i + 90);
    lookups.push(d1.prepare(`SELECT email, user_id FROM user_emails WHERE email IN (${chunk.map(() => "?").join(", ")})`).bind(...chunk.map(([, email]) => email)));
  }
  const holder = new Map<string, string>();
  if (lookups.length > 0) for (const result of await d1.batch<{ email: string; user_id: string }>(lookups)) for (const row of result.results) holder.set(row.email, row.user_id);
  const conflicts = rest.filter(([id, email]) => holder.get(email) !== id).map(([id, email]) => ({ email, user_id: id, held_by: holder.get(email) ?? null }));
  return { added: added.size, conflicts };
}
