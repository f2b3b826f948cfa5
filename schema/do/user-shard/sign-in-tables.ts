import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

// Tables of the sign-in methods besides the password: emailed codes and magic links,
// TOTP factors and recovery codes. Each is per bucket and in the table registry (registry.ts).

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
