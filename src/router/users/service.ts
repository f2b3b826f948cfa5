import type { Env } from "../../env";
import { dummyPasswordVerifier, hashPassword, verifyPassword } from "../../oauth/password";
import { bucketOf, newUserId } from "../../shard/bucket";
import type { Config } from "../../config";
import { reserveEmail, releaseEmail, userIdByEmail } from "../d1/user-emails";
import { conflict, invalidRequest, notFound, OAuthError } from "../errors";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import type { UserView } from "../../actors/user-shard/api";

export interface CreateUserInput {
  email: string;
  password: string;
  name?: string | undefined;
  given_name?: string | undefined;
  family_name?: string | undefined;
  email_verified?: boolean | undefined;
}

const USER_ID = /^[A-Za-z0-9_-]{22}$/;

export function isUserId(value: string): boolean {
  return USER_ID.test(value);
}

/**
 * Creates a user: reserve the email in D1, then create the user in the shard that
 * owns its bucket; if the shard step fails in any way, release the reservation so
 * no address is left pointing at a user that does not exist.
 */
export async function createUser(env: Env, config: Config, input: CreateUserInput, email: string): Promise<UserView> {
  const id = newUserId();
  const bucket = bucketOf(id);
  const verifier = await hashPassword(input.password);
  if (!(await reserveEmail(env.DB, email, id))) throw conflict("a user with this email already exists");
  try {
    const result = await callShard(env, config, bucket, (stub) =>
      stub.createUser({
        id,
        bucket,
        email,
        emailVerified: input.email_verified ?? false,
        name: input.name ?? null,
        givenName: input.given_name ?? null,
        familyName: input.family_name ?? null,
        passwordVerifier: verifier,
      }),
    );
    if (!result.ok) throw shardFailure(result, "change", "creating the user");
    return result.user;
  } catch (error) {
    await releaseEmail(env.DB, email, id);
    throw error;
  }
}

export async function getUser(env: Env, config: Config, id: string): Promise<UserView> {
  if (!isUserId(id)) throw notFound("no such user");
  const result = await callShard(env, config, bucketOf(id), (stub) => stub.getUser(bucketOf(id), id));
  if (!result.ok) throw notFound("no such user");
  return result.user;
}

export async function findUserByEmail(env: Env, config: Config, email: string): Promise<UserView> {
  const id = await userIdByEmail(env.DB, email);
  if (!id) throw notFound("no user with this email");
  return getUser(env, config, id);
}

export async function disableUser(env: Env, config: Config, id: string): Promise<UserView> {
  if (!isUserId(id)) throw notFound("no such user");
  const bucket = bucketOf(id);
  const result = await callShard(env, config, bucket, (stub) => stub.disableUser(bucket, id));
  if (!result.ok) throw notFound("no such user");
  return result.user;
}

export async function enableUser(env: Env, config: Config, id: string): Promise<UserView> {
  if (!isUserId(id)) throw notFound("no such user");
  const bucket = bucketOf(id);
  const result = await callShard(env, config, bucket, (stub) => stub.enableUser(bucket, id));
  if (!result.ok) throw notFound("no such user");
  return result.user;
}

/** The operator sets a new password (the console's "reset credentials"); every session of the user ends. */
export async function setUserPassword(env: Env, config: Config, id: string, password: string): Promise<{ user: UserView; sessionsEnded: number }> {
  if (!isUserId(id)) throw notFound("no such user");
  const bucket = bucketOf(id);
  const verifier = await hashPassword(password);
  const result = await callShard(env, config, bucket, (stub) => stub.setPassword(bucket, id, verifier));
  if (result.ok) return { user: result.user, sessionsEnded: result.ended };
  if (result.error === "not_found") throw notFound("no such user");
  if (result.error === "conflict") throw conflict("this user signs in with the directory's password; change it in the directory");
  throw shardFailure(result, "change", "the password change");
}

/**
 * Checks an email + password pair. Unknown emails, users without a password and
 * disabled users all cost one full derivation and answer null, so the caller cannot
 * tell them apart by answer or by timing.
 */
export async function checkPassword(env: Env, config: Config, email: string, password: string): Promise<UserView | null> {
  const id = await userIdByEmail(env.DB, email);
  if (!id) {
    await verifyPassword(password, await dummyPasswordVerifier());
    return null;
  }
  const bucket = bucketOf(id);
  const result = await callShard(env, config, bucket, (stub) => stub.getPasswordVerifier(bucket, id));
  const verifier = result.ok && result.verifier ? result.verifier : await dummyPasswordVerifier();
  const valid = await verifyPassword(password, verifier);
  if (!result.ok || !result.verifier || !valid || result.user.disabled) return null;
  return result.user;
}

export function requireEmail(raw: string, normalize: (raw: string) => string | null): string {
  const email = normalize(raw);
  if (!email) throw invalidRequest("email: not a valid email address");
  return email;
}
