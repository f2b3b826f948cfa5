import { and, eq } from "drizzle-orm";
import { credentials, users } from "../../../schema/do/user-shard/tables";
import { fail, ok, type ShardResult } from "../results";
import type { ShardTx } from "./db";
import { appendEvent } from "./outbox";
import type { UserView, NewUser } from "./api";
import type { UserAccess } from "../../oauth/access-policy";

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

/** The user's columns as the hot paths' joins select them (`u` is the users table's alias). */
export const USER_COLUMNS =
  "u.id AS u_id, u.bucket AS u_bucket, u.email AS u_email, u.email_verified AS u_email_verified, u.name AS u_name, " +
  "u.given_name AS u_given_name, u.family_name AS u_family_name, u.disabled AS u_disabled, u.created_at AS u_created_at, u.updated_at AS u_updated_at" +
  // Roles, groups and attributes for the token's claims: a primary-key read in the same statement.
  ", (SELECT json_object('roles', json(a.roles), 'groups', json(a.groups), 'attributes', json(a.attributes)) FROM user_access a WHERE a.user_id = u.id) AS u_access";

/** The columns USER_COLUMNS selects; all null when the join found no user. */
export interface UserColumns {
  u_id: string | null;
  u_bucket: number;
  u_email: string;
  u_email_verified: number;
  u_name: string | null;
  u_given_name: string | null;
  u_family_name: string | null;
  u_disabled: number;
  u_created_at: number;
  u_updated_at: number;
  u_access: string | null;
}

/** The view of a user read through USER_COLUMNS (the caller has checked `u_id`). */
export function userViewOf(row: UserColumns): UserView {
  return {
    id: row.u_id!,
    bucket: row.u_bucket,
    email: row.u_email,
    email_verified: row.u_email_verified === 1,
    name: row.u_name,
    given_name: row.u_given_name,
    family_name: row.u_family_name,
    disabled: row.u_disabled === 1,
    created_at: row.u_created_at,
    updated_at: row.u_updated_at,
    access: row.u_access === null ? null : (JSON.parse(row.u_access) as UserAccess),
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

/** The operator re-enables an account: sign-in and refresh work again (its old sessions stay ended). */
export function setEnabled(tx: ShardTx, bucket: number, id: string, now: number): ShardResult<{ user: UserView }> {
  const row = findUser(tx, bucket, id);
  if (!row) return fail("not_found", "no such user");
  if (row.disabled) {
    tx.update(users).set({ disabled: false, updatedAt: now }).where(eq(users.id, id)).run();
    appendEvent(tx, { bucket, type: "user.enabled", userId: id, data: { method: "operator" } }, now);
  }
  return ok({ user: toView({ ...row, disabled: false, updatedAt: row.disabled ? now : row.updatedAt }) });
}

