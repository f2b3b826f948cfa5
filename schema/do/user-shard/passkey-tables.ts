import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

// Passkeys (WebAuthn Level 3): a user's credentials, the challenges already spent, and the
// failure count that slows down bad assertions. Each is per bucket and in the table registry.

/**
 * One passkey of a user. The public key is stored (COSE, base64url); the private key never
 * leaves the authenticator. `counter` is the signature counter last seen (WebAuthn §6.1.1):
 * an assertion whose counter does not go up is refused as a possible clone, unless both are 0
 * (authenticators without a counter). `backed_up` / `device_type` are the BE/BS flags at
 * registration and as last seen (§6.1): they decide amr "swk" (synced) or "hwk" (device-bound).
 */
export const passkeys = sqliteTable(
  "passkeys",
  {
    userId: text("user_id").notNull(),
    credentialId: text("credential_id").notNull(),
    bucket: integer("bucket").notNull(),
    name: text("name").notNull(),
    publicKey: text("public_key").notNull(),
    counter: integer("counter").notNull(),
    // JSON array of AuthenticatorTransport hints, passed back in allowCredentials/excludeCredentials.
    transports: text("transports").notNull(),
    // singleDevice | multiDevice
    deviceType: text("device_type").notNull(),
    backedUp: integer("backed_up").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [primaryKey({ columns: [t.userId, t.credentialId] }), index("passkeys_bucket").on(t.bucket)],
);

/**
 * Challenges that were answered, by SHA-256, in the bucket of the user who answered (the
 * challenge itself lives in a signed cookie until then). Inserting the hash is what makes a
 * challenge single use; the row is kept until the challenge would have expired anyway.
 */
export const spentPasskeyChallenges = sqliteTable(
  "spent_passkey_challenges",
  {
    challengeHash: text("challenge_hash").primaryKey(),
    bucket: integer("bucket").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("spent_passkey_challenges_bucket").on(t.bucket), index("spent_passkey_challenges_expiry").on(t.expiresAt)],
);

/** Failed assertions per user (a bad signature or a cloned counter): they slow the account down like wrong passwords. */
export const passkeyFailures = sqliteTable(
  "passkey_failures",
  {
    userId: text("user_id").primaryKey(),
    bucket: integer("bucket").notNull(),
    failedCount: integer("failed_count").notNull(),
    lastFailedAt: integer("last_failed_at").notNull(),
  },
  (t) => [index("passkey_failures_bucket").on(t.bucket)],
);
