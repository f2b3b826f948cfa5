import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

// Tables of the protocol flows whose state exists before (or beside) a user's grant:
// device requests, pushed authorization requests, CIBA requests, used DPoP proofs and
// spent JWT assertions. Each is per bucket and in the table registry (registry.ts).

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
