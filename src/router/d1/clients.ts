import { and, asc, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { clients } from "../../../schema/d1/tables";

export type ClientRow = typeof clients.$inferSelect;
export type ClientType = "confidential" | "public";

/** A registered client as the operator API shows it (never the secret hash). */
export interface ClientView {
  client_id: string;
  client_name: string;
  client_type: ClientType;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  scope: string;
  token_endpoint_auth_method: string;
  id_token_signed_response_alg: string;
  offline_survives_logout: boolean;
  refresh_grace_s: number | null;
  token_exchange_audiences: string[];
  created_at: number;
  updated_at: number;
}

export function clientView(row: ClientRow): ClientView {
  return {
    client_id: row.clientId,
    client_name: row.clientName,
    client_type: row.clientType as ClientType,
    redirect_uris: row.redirectUris,
    post_logout_redirect_uris: row.postLogoutRedirectUris,
    grant_types: row.grantTypes,
    scope: row.scope,
    token_endpoint_auth_method: row.tokenEndpointAuthMethod,
    id_token_signed_response_alg: row.idTokenSignedResponseAlg,
    offline_survives_logout: row.offlineSurvivesLogout,
    refresh_grace_s: row.refreshGraceS,
    token_exchange_audiences: row.tokenExchangeAudiences,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

export async function getClientRow(d1: D1Database, clientId: string): Promise<ClientRow | null> {
  return (await drizzle(d1).select().from(clients).where(eq(clients.clientId, clientId)).get()) ?? null;
}

export async function listClientRows(d1: D1Database): Promise<ClientRow[]> {
  return drizzle(d1).select().from(clients).orderBy(asc(clients.clientId)).all();
}

/**
 * Creates the client unless its id is taken, in one statement, so that of several
 * concurrent creators exactly one wins. True when this call created it.
 */
export async function insertClientRowIfAbsent(d1: D1Database, row: ClientRow): Promise<boolean> {
  const rows = await drizzle(d1).insert(clients).values(row).onConflictDoNothing().returning({ id: clients.clientId });
  return rows.length === 1;
}

/** The stored secret, a new one (`set`), or none (`clear`, public clients), for updateClientRow. */
export type SecretChange = { keep: string } | { set: string } | { clear: true };

/**
 * Replaces an existing client's registration (created_at stays). With `keep`, a
 * stored secret hash survives and the given hash is stored only where there was
 * none (a public client turned confidential) — decided inside the statement, so
 * concurrent updates never hand out a secret that another one overwrote.
 * Returns the row as stored, or null when the client does not exist (any more).
 */
export async function updateClientRow(
  d1: D1Database,
  row: Omit<ClientRow, "secretHash" | "createdAt">,
  secret: SecretChange,
): Promise<ClientRow | null> {
  const { clientId, ...changes } = row;
  const secretHash =
    "keep" in secret ? sql`coalesce(${clients.secretHash}, ${secret.keep})` : "set" in secret ? secret.set : null;
  const rows = await drizzle(d1)
    .update(clients)
    .set({ ...changes, secretHash })
    .where(eq(clients.clientId, clientId))
    .returning();
  return rows[0] ?? null;
}

/** Sets a confidential client's secret; false when there is no such confidential client. */
export async function setClientSecretHash(d1: D1Database, clientId: string, secretHash: string): Promise<boolean> {
  const rows = await drizzle(d1)
    .update(clients)
    .set({ secretHash, updatedAt: Date.now() })
    .where(and(eq(clients.clientId, clientId), eq(clients.clientType, "confidential")))
    .returning({ id: clients.clientId });
  return rows.length === 1;
}

export async function deleteClientRow(d1: D1Database, clientId: string): Promise<boolean> {
  const rows = await drizzle(d1).delete(clients).where(eq(clients.clientId, clientId)).returning({ id: clients.clientId });
  return rows.length === 1;
}
