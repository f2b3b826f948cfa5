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

/**
 * A pending device authorization (RFC 8628 §3.2): no user is known yet, so it lives
 * in the bucket its user code hashes to, and the device code `d.<bucket>.<secret>`
 * carries that bucket — one row, found by either key, moved with its bucket. Only
 * SHA-256 hashes of both codes are stored. On approval it points at the grant that
 * was written in the user's own shard.
 */
export const deviceRequests = sqliteTable(
  "device_requests",
  {
    deviceCodeHash: text("device_code_hash").primaryKey(),
    userCodeHash: text("user_code_hash").notNull(),
    bucket: integer("bucket").notNull(),
    clientId: text("client_id").notNull(),
    scope: text("scope").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    // RFC 8628 §3.5: the poll interval, grown by slow_down, and when the device last polled.
    intervalS: integer("interval_s").notNull(),
    lastPolledAt: integer("last_polled_at"),
    // pending | approved | denied | redeemed
    status: text("status").notNull(),
    userId: text("user_id"),
    grantId: text("grant_id"),
    authTime: integer("auth_time"),
    acr: text("acr"),
    amr: text("amr"),
    decidedAt: integer("decided_at"),
  },
  (t) => [index("device_requests_user_code").on(t.userCodeHash), index("device_requests_bucket").on(t.bucket), index("device_requests_expiry").on(t.expiresAt)],
);

/**
 * DPoP proofs already used (RFC 9449 §11.1), by SHA-256 of their `jti`, kept until
 * their `iat` window closes (then the proof is refused as too old anyway). Written by
 * the same transaction that serves the request (/token redemption or rotation,
 * /userinfo), so a replay is refused without a second call. Per bucket: a proof is
 * recorded in the shard of the user whose state it acts on, and moves with the bucket.
 */
export const dpopProofs = sqliteTable(
  "dpop_proofs",
  {
    bucket: integer("bucket").notNull(),
    jtiHash: text("jti_hash").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.jtiHash] }), index("dpop_proofs_expiry").on(t.expiresAt)],
);

/**
 * A pushed authorization request (RFC 9126 §2): no user is known yet, so it lives in a
 * random bucket of its own, carried in its request_uri (`urn:…:request_uri:p.<bucket>.<secret>`).
 * Only the SHA-256 of the request_uri is kept. `params` is every parameter the client
 * pushed (JSON object), validated at push time; /authorize validates them again when it
 * takes them, once (`used_at`).
 */
export const pushedRequests = sqliteTable(
  "pushed_requests",
  {
    requestHash: text("request_hash").primaryKey(),
    bucket: integer("bucket").notNull(),
    clientId: text("client_id").notNull(),
    params: text("params").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("pushed_requests_bucket").on(t.bucket), index("pushed_requests_expiry").on(t.expiresAt)],
);

/**
 * A CIBA authentication request (OpenID CIBA Core 1.0 §7). Unlike a device request the
 * user is known when it is made, so it lives in the user's own bucket: the grant that
 * approval writes sits beside it, a poll is one call to one shard, and it moves with the
 * user. `auth_req_id` is `b.<bucket>.<mac>`; only its SHA-256 is kept. `request_id` names
 * the request on the approval page and in the notification jobs (the router derives the
 * auth_req_id from it again with CIBA_SECRET to send ping and push notifications).
 */
export const cibaRequests = sqliteTable(
  "ciba_requests",
  {
    requestId: text("request_id").primaryKey(),
    authReqIdHash: text("auth_req_id_hash").notNull().unique(),
    bucket: integer("bucket").notNull(),
    userId: text("user_id").notNull(),
    clientId: text("client_id").notNull(),
    scope: text("scope").notNull(),
    bindingMessage: text("binding_message"),
    // poll | ping | push (§5), as the client was registered when it asked.
    mode: text("mode").notNull(),
    // §7.1: the bearer token ping and push notifications carry; the client's to check, so kept as sent.
    notificationToken: text("notification_token"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    // §7.3 interval, grown by slow_down (§11), and when the client last polled.
    intervalS: integer("interval_s").notNull(),
    lastPolledAt: integer("last_polled_at"),
    // pending | approved | denied | redeemed | expired; delivered_error once a push client was sent the denial or expiry (§12)
    status: text("status").notNull(),
    grantId: text("grant_id"),
    authTime: integer("auth_time"),
    acr: text("acr"),
    amr: text("amr"),
    decidedAt: integer("decided_at"),
  },
  (t) => [index("ciba_requests_bucket").on(t.bucket), index("ciba_requests_expiry").on(t.expiresAt)],
);

/**
 * JWT assertions already used (RFC 7523 §3 `jti`, RFC 7521 §4.2): one row per
 * assertion, keyed by SHA-256 of (issuer, jti), kept until the assertion's own
 * expiry — after that its `exp` refuses it anyway. A client assertion lives in the
 * bucket that key hashes to; a JWT bearer assertion about a user in the user's bucket.
 */
export const spentAssertions = sqliteTable(
  "spent_assertions",
  {
    keyHash: text("key_hash").primaryKey(),
    bucket: integer("bucket").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("spent_assertions_bucket").on(t.bucket), index("spent_assertions_expiry").on(t.expiresAt)],
);

/**
 * Email sign-in codes, magic links, password resets and sign-up codes, in the user's bucket
 * (for a sign-up, the bucket of the id the account will get). The row is
 * found by the hash of the handle the asking browser holds in a cookie (so the code works
 * only there), or by the hash of the emailed link's secret. Single use (used_at), a few
 * wrong codes kill it (attempts), short-lived (expires_at). Only hashes are stored.
 */
export const emailChallenges = sqliteTable(
  "email_challenges",
  {
    handleHash: text("handle_hash").primaryKey(),
    bucket: integer("bucket").notNull(),
    userId: text("user_id").notNull(),
    // signin | reset | signup
    purpose: text("purpose").notNull(),
    codeHash: text("code_hash").notNull(),
    linkHash: text("link_hash").notNull(),
    // The signed interaction (pending authorization request) a magic link continues; null for a reset.
    interaction: text("interaction"),
    // Sign-up: the account to create once the code proves the address (JSON: email, name, password verifier).
    pendingUser: text("pending_user"),
    attempts: integer("attempts").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("email_challenges_link").on(t.linkHash), index("email_challenges_bucket").on(t.bucket), index("email_challenges_expiry").on(t.expiresAt)],
);

// --- Two-factor sign-in (TOTP, RFC 6238; recovery codes) ---

/**
 * A user's authenticator-app factor. The secret is sealed (AES-GCM, MFA_SECRET_KEY, bound
 * to the user id): TOTP computes codes from the secret itself, so it cannot be hashed.
 * `confirmed_at` is null while enrolment waits for its first code. `last_step` is the
 * newest time step a code was accepted for: a code is single use because only a later
 * step passes (checked and written in one transaction). Failures count here like the
 * password's, so guessing codes slows down the same way.
 */
export const totpFactors = sqliteTable(
  "totp_factors",
  {
    userId: text("user_id").primaryKey(),
    bucket: integer("bucket").notNull(),
    sealedSecret: text("sealed_secret").notNull(),
    confirmedAt: integer("confirmed_at"),
    lastStep: integer("last_step").notNull().default(0),
    failedCount: integer("failed_count").notNull().default(0),
    lastFailedAt: integer("last_failed_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("totp_factors_bucket").on(t.bucket)],
);

/** One-time recovery codes, as SHA-256 hashes; `used_at` set when one is spent. */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    userId: text("user_id").notNull(),
    codeHash: text("code_hash").notNull(),
    bucket: integer("bucket").notNull(),
    usedAt: integer("used_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] }), index("recovery_codes_bucket").on(t.bucket)],
);
