import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type * as tables from "../../../schema/do/directory/tables";

export type DirectoryDb = DrizzleSqliteDODatabase<typeof tables>;
/** The synchronous transaction handle drizzle gives inside `db.transaction(...)`. */
export type DirectoryTx = Parameters<Parameters<DirectoryDb["transaction"]>[0]>[0];
