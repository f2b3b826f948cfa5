import { getTableName, type Table } from "drizzle-orm";
import { getTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { authCodes, cibaRequests, consents, credentials, deviceRequests, dpopProofs, grants, outbox, refreshTokens, revokedTokens, sessions, spentAssertions, users } from "./tables";
import { pushedRequests } from "./tables";
import { emailChallenges } from "./tables";
import { recoveryCodes, totpFactors } from "./tables";
import { ldapLinks } from "./tables";
import { userAccess } from "./tables";
import { federatedLinks } from "./tables";
import { passkeyFailures, passkeys, spentPasskeyChallenges } from "./tables";
import { samlParticipants } from "./tables";

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

/** The primary-key columns as the table declares them (a composite key, or the one primary column). */
function primaryKeyOf(table: SQLiteTable): string[] {
  const config = getTableConfig(table);
  const composite = config.primaryKeys[0];
  if (composite) return composite.columns.map((c) => c.name);
  return config.columns.filter((c) => c.primary).map((c) => c.name);
}

function entry(table: SQLiteTable): PerUserTable {
  return { table, name: getTableName(table), primaryKey: primaryKeyOf(table) };
}

export const PER_USER_TABLES: readonly PerUserTable[] = [
  entry(users),
  entry(credentials),
  entry(outbox),
  entry(sessions),
  entry(consents),
  entry(authCodes),
  entry(grants),
  entry(refreshTokens),
  entry(revokedTokens),
  entry(deviceRequests),
  entry(dpopProofs),
  entry(pushedRequests),
  entry(cibaRequests),
  entry(spentAssertions),
  entry(emailChallenges),
  // Two-factor sign-in
  entry(totpFactors),
  entry(recoveryCodes),
  // LDAP / Active Directory
  entry(ldapLinks),
  // Roles, groups and SCIM attributes
  entry(userAccess),
  // Federation
  entry(federatedLinks),
  // Passkeys (WebAuthn)
  entry(passkeys),
  entry(spentPasskeyChallenges),
  entry(passkeyFailures),
  // SAML single logout
  entry(samlParticipants),
];

/**
 * Tables that describe the shard itself, not its users; they never move.
 * (request_load has a bucket column, but it is this shard's traffic history.)
 */
export const SHARD_LOCAL_TABLES: readonly string[] = ["owned_buckets", "shard_meta", "request_load"];
