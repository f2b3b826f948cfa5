import { and, eq } from "drizzle-orm";
import { credentials, users } from "../../../schema/do/user-shard/tables";
import { fail, ok, type ShardResult } from "../results";
import type { ShardTx } from "./db";
import { appendEvent } from "./outbox";
import type { UserView, NewUser } from "./api";

type UserRow = typeof users.$inferSelect;

export function toView(row: UserRow): UserView {
  return {
    id: row.id,
    bucket: row.bucket,
    email: row.email,
    email_verified: row.emailVerified,
    name: row.name,
    given_name: row.givenName,
    family_name: row.familyName,
    disabled: row.disabled,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

export function findUser(tx: ShardTx, bucket: number, id: string): UserRow | undefined {
  return tx.select().from(users).where(and(eq(users.id, id), eq(users.bucket, bucket))).get();
}

export function insertUser(tx: ShardTx, input: NewUser, now: number): ShardResult<{ user: UserView }> {
  if (tx.select({ id: users.id }).from(users).where(eq(users.id, input.id)).get()) {
    return fail("conflict", "a user with this id exists");
  }
  const row: UserRow = {
    id: input.id,
    bucket: input.bucket,
    email: input.email,
    emailVerified: input.emailVerified,
    name: input.name,
    givenName: input.givenName,
    familyName: input.familyName,
    disabled: false,
    createdAt: now,
    updatedAt: now,
  };
  tx.insert(users).values(row).run();
  if (input.passwordVerifier !== null) {
    tx.insert(credentials)
      .values({ userId: input.id, type: "password", bucket: input.bucket, secret: input.passwordVerifier, updatedAt: now })
      .run();
  }
  appendEvent(tx, { bucket: input.bucket, type: "user.created", userId: input.id }, now);
  return ok({ user: toView(row) });
}

/** The user's password credential: its verifier and the sign-in failure count that slows sign-in down. */
export type PasswordCredential = { failedCount: number; lastFailedAt: number | null; secret: string };

export function passwordCredential(tx: ShardTx, bucket: number, userId: string): PasswordCredential | undefined {
  return tx
    .select({ failedCount: credentials.failedCount, lastFailedAt: credentials.lastFailedAt, secret: credentials.secret })
    .from(credentials)
    .where(and(eq(credentials.userId, userId), eq(credentials.type, "password"), eq(credentials.bucket, bucket)))
    .get();
}

export function setDisabled(tx: ShardTx, bucket: number, id: string, now: number): ShardResult<{ user: UserView }> {
  const row = findUser(tx, bucket, id);
  if (!row) return fail("not_found", "no such user");
  if (!row.disabled) {
    tx.update(users).set({ disabled: true, updatedAt: now }).where(eq(users.id, id)).run();
    appendEvent(tx, { bucket, type: "user.disabled", userId: id }, now);
  }
  return ok({ user: toView({ ...row, disabled: true, updatedAt: row.disabled ? row.updatedAt : now }) });
}
