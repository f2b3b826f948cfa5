import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type * as tables from "../../../schema/do/user-shard/tables";

export type ShardDb = DrizzleSqliteDODatabase<typeof tables>;
/** The synchronous transaction handle drizzle gives inside `db.transaction(...)`. */
export type ShardTx = Parameters<Parameters<ShardDb["transaction"]>[0]>[0];
