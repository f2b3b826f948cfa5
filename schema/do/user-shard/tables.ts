import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Tables of UserShardActor. Every per-user table carries a `bucket` column and is
 * listed in `registry.ts`, which is what the bucket mover walks.
 */

/** Fencing: the buckets this shard owns or expects, as pushed by the directory. */
export const ownedBuckets = sqliteTable("owned_buckets", {
  bucket: integer("bucket").primaryKey(),
  epoch: integer("epoch").notNull(),
  // active | fenced | incoming (a move's target: takes the mover's copies). Requests are
  // served only while active; fenced and incoming answer bucket_moving. (ShardBucketState)
  state: text("state").notNull(),
});

/** Single-row facts about this shard: its name and the map version it last applied. */
export const shardMeta = sqliteTable("shard_meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    bucket: integer("bucket").notNull(),
    email: text("email").notNull(),
    emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
    name: text("name"),
    givenName: text("given_name"),
    familyName: text("family_name"),
    disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("users_bucket").on(t.bucket)],
);

export const credentials = sqliteTable(
  "credentials",
  {
    userId: text("user_id").notNull(),
    type: text("type").notNull(), // "password"
    bucket: integer("bucket").notNull(),
    // Self-describing verifier, e.g. pbkdf2-sha256$100000$<salt>$<hash>
    secret: text("secret").notNull(),
    failedCount: integer("failed_count").notNull().default(0),
    lastFailedAt: integer("last_failed_at"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.type] }), index("credentials_bucket").on(t.bucket)],
);

/**
 * Audit events written in the same transaction as the change they describe. The
 * table is WITHOUT ROWID and keyed by a time-ordered id (UUIDv7), so the flush walks
 * the primary key oldest first and an event costs one row written to append and one
 * to delete — no secondary index. The outbox holds seconds of events; a bucket
 * move's `WHERE bucket = ?` scans it, which is cheap at that size.
 */
export const outbox = sqliteTable("outbox", {
  id: text("id").primaryKey(),
  bucket: integer("bucket").notNull(),
  type: text("type").notNull(),
  userId: text("user_id"),
  clientId: text("client_id"),
  data: text("data").notNull(),
  at: integer("at").notNull(),
});

/**
 * Browser sessions. The cookie carries `s.<bucket>.<secret>`; only the SHA-256 of
 * the whole value is stored. `sid` is the public session id put in ID tokens.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    idHash: text("id_hash").primaryKey(),
    sid: text("sid").notNull().unique(),
    bucket: integer("bucket").notNull(),
    userId: text("user_id").notNull(),
    authTime: integer("auth_time").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    idleExpiresAt: integer("idle_expires_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    amr: text("amr").notNull(),
    acr: text("acr").notNull(),
    endedAt: integer("ended_at"),
  },
  (t) => [index("sessions_bucket").on(t.bucket), index("sessions_user").on(t.userId), index("sessions_expiry").on(t.expiresAt)],
);

/** What a user allowed a client to see, remembered per user and client. */
export const consents = sqliteTable(
  "consents",
  {
    userId: text("user_id").notNull(),
    clientId: text("client_id").notNull(),
    bucket: integer("bucket").notNull(),
    scope: text("scope").notNull(),
    grantedAt: integer("granted_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.clientId] }), index("consents_bucket").on(t.bucket)],
);

/**
 * Authorization codes, stored hashed, single use, bound to everything the request said.
 * WITHOUT ROWID (see migration 0004): the code hash is the table's own key.
 */
export const authCodes = sqliteTable(
  "auth_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    bucket: integer("bucket").notNull(),
    userId: text("user_id").notNull(),
    clientId: text("client_id").notNull(),
    redirectUri: text("redirect_uri").notNull(),
    codeChallenge: text("code_challenge"),
    nonce: text("nonce"),
    scope: text("scope").notNull(),
    sid: text("sid").notNull(),
    authTime: integer("auth_time").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    redeemedAt: integer("redeemed_at"),
    // The grant the redemption created: a replay of the code revokes it by primary key.
    grantId: text("grant_id"),
    // DPoP (RFC 9449 §10): the `dpop_jkt` of the authorization request; redemption needs a proof with this key.
    dpopJkt: text("dpop_jkt"),
    // OIDC Core §5.5 claims parameter: user claims asked for by name ({"userinfo":[..],"id_token":[..]}), null if none.
    claims: text("claims"),
  },
  (t) => [index("auth_codes_bucket").on(t.bucket), index("auth_codes_expiry").on(t.expiresAt)],
);

/**
 * A grant: what one code redemption issued (access tokens, and with offline_access a
 * refresh-token family). Access tokens carry its id, so revoking the grant — on code
 * replay, logout or theft detection — makes every token from it dead at the next use.
 *
 * The family's current refresh token lives on the grant row (its hash and
 * generation): the token names its family, so a rotation finds the grant by primary
 * key and rewrites this one row. WITHOUT ROWID, one secondary index (bucket, user):
 * the mover walks it by bucket, per-user operations (logout, consent withdrawal) by
 * user — an insert writes two rows, a rotation one.
 */
export const grants = sqliteTable(
  "grants",
  {
    id: text("id").primaryKey(),
    bucket: integer("bucket").notNull(),
    userId: text("user_id").notNull(),
    clientId: text("client_id").notNull(),
    sid: text("sid"),
    scope: text("scope").notNull(),
    authTime: integer("auth_time").notNull(),
    // 1 when the grant carries a refresh-token family (offline_access)
    offline: integer("offline", { mode: "boolean" }).notNull().default(false),
    // SHA-256 of the family's current refresh token, and its generation (0 at redemption)
    refreshHash: text("refresh_hash"),
    refreshGeneration: integer("refresh_generation").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at").notNull(),
    // absolute end of the grant; refresh use extends idle life up to here
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
    revokeReason: text("revoke_reason"),
    // DPoP (RFC 9449 §5): the key thumbprint a public client's refresh family is bound to; null = unbound.
    dpopJkt: text("dpop_jkt"),
    // OIDC Core §5.5 claims parameter, copied from the code: /userinfo and refreshed ID tokens keep honouring it.
    claims: text("claims"),
  },
  (t) => [index("grants_bucket_user").on(t.bucket, t.userId)],
);

/**
 * Retired refresh tokens of a family, stored hashed: kept so that a retired token
 * presented again is recognised as reuse (RFC 9700 §4.14.2) and, within the grace
 * window, answered with the successor it already received. Keyed by family first, so
 * a presented token (which names its family) is one primary-key lookup and a family's
 * history is one range; WITHOUT ROWID with one index (bucket) for the mover.
 */
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    grantId: text("grant_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    bucket: integer("bucket").notNull(),
    generation: integer("generation").notNull(),
    retiredAt: integer("retired_at").notNull(),
    // The successor issued when this token was rotated, AES-GCM encrypted under a key
    // derived from this token: only its holder can read it, and only within the grace window.
    successorEnc: text("successor_enc"),
  },
  (t) => [primaryKey({ columns: [t.grantId, t.tokenHash] }), index("refresh_tokens_bucket").on(t.bucket)],
);

/**
 * Access tokens revoked before their expiry (RFC 7009), by `jti`. Kept until the
 * token would have expired, so /userinfo and /introspect refuse it until then.
 */
export const revokedTokens = sqliteTable(
  "revoked_tokens",
  {
    jti: text("jti").primaryKey(),
    bucket: integer("bucket").notNull(),
    grantId: text("grant_id"),
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at").notNull(),
  },
  (t) => [index("revoked_tokens_bucket").on(t.bucket), index("revoked_tokens_expiry").on(t.expiresAt)],
);

/**
 * Requests served per bucket per minute (minute = epoch ms / 60 000), kept about 15
 * minutes, so operators can see a hot shard and plan moves by load. Shard-local:
 * it describes this shard's traffic and does not move with the bucket.
 */
export const requestLoad = sqliteTable(
  "request_load",
  {
    bucket: integer("bucket").notNull(),
    minute: integer("minute").notNull(),
    requests: integer("requests").notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.minute] })],
);

// The flows' and sign-in methods' tables, in files of their own; one module for the rest of the code.
export * from "./flow-tables";
export * from "./sign-in-tables";
export * from "./ldap-tables";
export * from "./access-tables";
export * from "./federation-tables";
// Passkeys (WebAuthn).
export * from "./passkey-tables";
export * from "./saml-tables";
