import { getTableName, type Table } from "drizzle-orm";
import { authCodes, consents, credentials, grants, outbox, refreshTokens, revokedTokens, sessions, users } from "./tables";

/**
 * Every per-user table of UserShardActor, with its primary-key columns. Each has a
 * `bucket` column. The bucket mover copies, verifies and deletes a bucket's rows by
 * walking this list, so a table added here moves with its users without new code.
 * A table missing from here would be left behind by a move; the schema test checks
 * that every table with a `bucket` column is listed.
 */
export interface PerUserTable {
  readonly table: Table;
  readonly name: string;
  readonly primaryKey: readonly string[];
}

function entry(table: Table, primaryKey: string[]): PerUserTable {
  return { table, name: getTableName(table), primaryKey };
}

export const PER_USER_TABLES: readonly PerUserTable[] = [
  entry(users, ["id"]),
  entry(credentials, ["user_id", "type"]),
  entry(outbox, ["id"]),
  entry(sessions, ["id_hash"]),
  entry(consents, ["user_id", "client_id"]),
  entry(authCodes, ["code_hash"]),
  entry(grants, ["id"]),
  entry(refreshTokens, ["token_hash"]),
  entry(revokedTokens, ["jti"]),
];

/**
 * Tables that describe the shard itself, not its users; they never move.
 * (request_load has a bucket column, but it is this shard's traffic history.)
 */
export const SHARD_LOCAL_TABLES: readonly string[] = ["owned_buckets", "shard_meta", "request_load"];
