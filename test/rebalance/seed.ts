import { env, runInDurableObject } from "cloudflare:test";
import { stubFor } from "../../src/shard/stub";

/**
 * Writes `users` synthetic users into `bucket` of `shard`, straight into its
 * SQLite, each with what a signed-in user has: a password credential, a session,
 * a consent, a pending code, a grant holding its current refresh token, and one
 * retired token. Seven rows per user, like a busy bucket. The ids need not hash to the
 * bucket: the mover works on the bucket column, not on the ids.
 */
export async function seedBucket(shard: string, bucket: number, users: number, tag = "syn"): Promise<void> {
  await runInDurableObject(stubFor(env, shard), (_instance, state) => {
    const sql = state.storage.sql;
    const now = Date.now();
    const later = now + 3_600_000;
    state.storage.transactionSync(() => {
      for (let i = 0; i < users; i++) {
        const id = `${tag}-${bucket}-${i}`;
        sql.exec(
          "INSERT INTO users (id, bucket, email, email_verified, name, given_name, family_name, disabled, created_at, updated_at) VALUES (?, ?, ?, 1, ?, 'Ada', 'Lovelace', 0, ?, ?)",
          id, bucket, `${id}@example.com`, `User ${i}`, now, now,
        );
        sql.exec(
          "INSERT INTO credentials (user_id, type, bucket, secret, failed_count, updated_at) VALUES (?, 'password', ?, ?, 0, ?)",
          id, bucket, `pbkdf2-sha256$100000$salt${i}$hash${i}`, now,
        );
        sql.exec(
          "INSERT INTO sessions (id_hash, sid, bucket, user_id, auth_time, last_seen_at, idle_expires_at, expires_at, amr, acr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[\"pwd\"]', '0')",
          `sh-${id}`, `sid-${id}`, bucket, id, now, now, later, later,
        );
        sql.exec(
          "INSERT INTO consents (user_id, client_id, bucket, scope, granted_at, updated_at) VALUES (?, 'demo-app', ?, 'openid profile email offline_access', ?, ?)",
          id, bucket, now, now,
        );
        sql.exec(
          "INSERT INTO auth_codes (code_hash, bucket, user_id, client_id, redirect_uri, scope, sid, auth_time, created_at, expires_at) VALUES (?, ?, ?, 'demo-app', 'http://localhost:3000/callback', 'openid', ?, ?, ?, ?)",
          `ch-${id}`, bucket, id, `sid-${id}`, now, now, later,
        );
        sql.exec(
          "INSERT INTO grants (id, bucket, user_id, client_id, sid, scope, auth_time, offline, refresh_hash, refresh_generation, created_at, last_used_at, expires_at) VALUES (?, ?, ?, 'demo-app', ?, 'openid offline_access', ?, 1, ?, 2, ?, ?, ?)",
          `g-${id}`, bucket, id, `sid-${id}`, now, `rt2-${id}`, now, now, later,
        );
        sql.exec("INSERT INTO refresh_tokens (token_hash, bucket, grant_id, generation, retired_at) VALUES (?, ?, ?, 1, ?)", `rt1-${id}`, bucket, `g-${id}`, now);
      }
    });
  });
}
