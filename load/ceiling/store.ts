import { DurableObject } from "cloudflare:workers";

/**
 * The ceiling's storage: one SQLite-backed Durable Object per shard, each method one
 * synchronous transaction — the same shape as authshard's shard actor, with nothing
 * else: no fencing, no audit, no lifetimes, no client binding.
 */
export class CeilingStore extends DurableObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, email TEXT NOT NULL, name TEXT) WITHOUT ROWID");
    this.sql.exec("CREATE TABLE IF NOT EXISTS grants (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, scope TEXT NOT NULL) WITHOUT ROWID");
    this.sql.exec("CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, grant_id TEXT NOT NULL, retired INTEGER NOT NULL) WITHOUT ROWID");
    this.sql.exec("CREATE TABLE IF NOT EXISTS codes (hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, scope TEXT NOT NULL, redeemed INTEGER NOT NULL) WITHOUT ROWID");
  }

  /** Refresh: look the token up, retire it, insert its successor. */
  rotate(hash: string, successorHash: string): { sub: string; grant: string; scope: string } | null {
    return this.ctx.storage.transactionSync(() => {
      const row = this.sql
        .exec<{ grant_id: string; user_id: string; scope: string }>(
          "SELECT t.grant_id, g.user_id, g.scope FROM tokens t JOIN grants g ON g.id = t.grant_id WHERE t.hash = ? AND t.retired = 0",
          hash,
        )
        .toArray()[0];
      if (!row) return null;
      this.sql.exec("UPDATE tokens SET retired = 1 WHERE hash = ?", hash);
      this.sql.exec("INSERT INTO tokens (hash, grant_id, retired) VALUES (?, ?, 0)", successorHash, row.grant_id);
      return { sub: row.user_id, grant: row.grant_id, scope: row.scope };
    });
  }

  /** Code: look it up, mark it redeemed, insert the grant and its refresh token. */
  redeem(hash: string, grantId: string, refreshHash: string): { sub: string; scope: string } | null {
    return this.ctx.storage.transactionSync(() => {
      const row = this.sql.exec<{ user_id: string; scope: string }>("SELECT user_id, scope FROM codes WHERE hash = ? AND redeemed = 0", hash).toArray()[0];
      if (!row) return null;
      this.sql.exec("UPDATE codes SET redeemed = 1 WHERE hash = ?", hash);
      this.sql.exec("INSERT INTO grants (id, user_id, scope) VALUES (?, ?, ?)", grantId, row.user_id, row.scope);
      this.sql.exec("INSERT INTO tokens (hash, grant_id, retired) VALUES (?, ?, 0)", refreshHash, grantId);
      return { sub: row.user_id, scope: row.scope };
    });
  }

  /** Userinfo: the grant is there and the user's claims. */
  userinfo(grantId: string): { sub: string; email: string; name: string | null } | null {
    return this.ctx.storage.transactionSync(() => {
      const row = this.sql
        .exec<{ id: string; email: string; name: string | null }>("SELECT u.id, u.email, u.name FROM grants g JOIN users u ON u.id = g.user_id WHERE g.id = ?", grantId)
        .toArray()[0];
      return row ? { sub: row.id, email: row.email, name: row.name } : null;
    });
  }

  /** Benchmark setup only: users with a grant, a refresh token and unredeemed codes each. */
  seed(rows: Array<{ user: string; grant: string; refreshHash: string; codeHashes: string[] }>): number {
    this.ctx.storage.transactionSync(() => {
      for (const r of rows) {
        this.sql.exec("INSERT OR REPLACE INTO users (id, email, name) VALUES (?, ?, ?)", r.user, `${r.user}@example.test`, "Bench User");
        this.sql.exec("INSERT OR REPLACE INTO grants (id, user_id, scope) VALUES (?, ?, 'openid profile email offline_access')", r.grant, r.user);
        this.sql.exec("INSERT OR REPLACE INTO tokens (hash, grant_id, retired) VALUES (?, ?, 0)", r.refreshHash, r.grant);
        for (const c of r.codeHashes) this.sql.exec("INSERT OR REPLACE INTO codes (hash, user_id, scope, redeemed) VALUES (?, ?, 'openid profile email offline_access', 0)", c, r.user);
      }
    });
    return rows.length;
  }
}
