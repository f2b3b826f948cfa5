import { noteD1 } from "../observability/trace";
import { COLUMNS, rowOf, type ClientRow, type StoredClient } from "./clients";
import { SETTINGS, settingsOf, type ClientSettings, type SecretChange } from "./client-writes";
import { consumeRegistrationToken } from "./registration-tokens";
import { inD1 } from "./unavailable";

/** Every statement goes through inD1: D1 down is a 503, not a 500. */
const REGISTRY = "client registration";

/**
 * Writes of dynamically registered clients (RFC 7591, RFC 7592). Every change to an
 * existing client is conditional on the registration access token's hash in the same
 * statement, so two updates racing with one token cannot both succeed, and a token
 * rotated away by one of them stops working at once.
 */

/** Columns only dynamic registration writes. */
const REGISTRATION_COLUMNS = ["metadata", "registration_token_hash", "initial_token_id", "registration_policy"] as const;

/** Settings an operator gives a client; an RFC 7592 update leaves them as they are. */
const OPERATOR_ONLY = new Set<string>(["offline_survives_logout", "refresh_grace_s", "token_exchange_audiences"]);

function registrationValues(row: ClientRow): (string | null)[] {
  return [
    JSON.stringify(row.metadata),
    row.registrationTokenHash,
    row.initialTokenId,
    row.registrationPolicy === null ? null : JSON.stringify(row.registrationPolicy),
  ];
}

/**
 * Stores a new client. With an initial access token (its hash), one D1 batch — a
 * transaction — first takes one use of the token, then inserts the client only if
 * that UPDATE changed a row (`changes()`): no use is taken without a client, and no
 * client is stored without a use. False when the token had none left (or expired).
 */
export async function insertDynamicClient(d1: D1Database, row: ClientRow, initialTokenHash: string | null, now: number): Promise<boolean> {
  const columns = ["client_id", "secret_hash", "created_at", ...SETTINGS, ...REGISTRATION_COLUMNS];
  const values = [row.clientId, row.secretHash, row.createdAt, ...settingsOf(row), ...registrationValues(row)];
  const placeholders = columns.map(() => "?").join(", ");
  if (initialTokenHash === null) {
    noteD1();
    await inD1(REGISTRY, () => d1.prepare(`INSERT INTO clients (${columns.join(", ")}) VALUES (${placeholders})`).bind(...values).run());
    return true;
  }
  noteD1(2);
  const [, inserted] = await inD1(REGISTRY, () =>
    d1.batch([
      consumeRegistrationToken(d1, initialTokenHash, now),
      d1.prepare(`INSERT INTO clients (${columns.join(", ")}) SELECT ${placeholders} WHERE changes() = 1 RETURNING client_id`).bind(...values),
    ]),
  );
  return (inserted?.results.length ?? 0) === 1;
}

/**
 * RFC 7592 §2.2: replaces the client's metadata and rotates its registration access
 * token, if `currentTokenHash` is still the stored one. The secret as `SecretChange`
 * says (`keep` stores a new one only where the client had none). Null when the token
 * no longer matches or the client is gone.
 */
export async function updateDynamicClient(
  d1: D1Database,
  row: ClientSettings & Pick<ClientRow, "clientId" | "metadata">,
  secret: SecretChange,
  currentTokenHash: string,
  nextTokenHash: string,
): Promise<ClientRow | null> {
  const all = settingsOf(row);
  const written = SETTINGS.flatMap((column, i) => (OPERATOR_ONLY.has(column) ? [] : [[column, all[i]!] as const]));
  const secretSql = "keep" in secret ? "coalesce(secret_hash, ?)" : "?";
  const secretValue = "keep" in secret ? secret.keep : "set" in secret ? secret.set : null;
  noteD1();
  const update = d1
    .prepare(
      `UPDATE clients SET ${written.map(([c]) => `${c} = ?`).join(", ")}, metadata = ?, registration_token_hash = ?, secret_hash = ${secretSql} ` +
        `WHERE client_id = ? AND registration_token_hash = ? RETURNING ${COLUMNS}`,
    )
    .bind(...written.map(([, v]) => v), JSON.stringify(row.metadata), nextTokenHash, secretValue, row.clientId, currentTokenHash);
  const stored = await inD1(REGISTRY, () => update.first<StoredClient>());
  return stored ? rowOf(stored) : null;
}

/** RFC 7592 §2.3: deletes the client if `tokenHash` is its registration access token's. */
export async function deleteDynamicClient(d1: D1Database, clientId: string, tokenHash: string): Promise<boolean> {
  noteD1();
  const { results } = await inD1(REGISTRY, () =>
    d1.prepare("DELETE FROM clients WHERE client_id = ? AND registration_token_hash = ? RETURNING client_id").bind(clientId, tokenHash).all(),
  );
  return results.length === 1;
}
