import { asc, eq } from "drizzle-orm";
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
  grant_types: string[];
  scope: string;
  token_endpoint_auth_method: string;
  id_token_signed_response_alg: string;
  created_at: number;
  updated_at: number;
}

export function clientView(row: ClientRow): ClientView {
  return {
    client_id: row.clientId,
    client_name: row.clientName,
    client_type: row.clientType as ClientType,
    redirect_uris: row.redirectUris,
    grant_types: row.grantTypes,
    scope: row.scope,
    token_endpoint_auth_method: row.tokenEndpointAuthMethod,
    id_token_signed_response_alg: row.idTokenSignedResponseAlg,
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

export async function upsertClientRow(d1: D1Database, row: ClientRow): Promise<void> {
  const { clientId: _id, createdAt: _created, ...changes } = row;
  await drizzle(d1).insert(clients).values(row).onConflictDoUpdate({ target: clients.clientId, set: changes });
}

export async function setClientSecretHash(d1: D1Database, clientId: string, secretHash: string): Promise<boolean> {
  const rows = await drizzle(d1)
    .update(clients)
    .set({ secretHash, updatedAt: Date.now() })
    .where(eq(clients.clientId, clientId))
    .returning({ id: clients.clientId });
  return rows.length === 1;
}

export async function deleteClientRow(d1: D1Database, clientId: string): Promise<boolean> {
  const rows = await drizzle(d1).delete(clients).where(eq(clients.clientId, clientId)).returning({ id: clients.clientId });
  return rows.length === 1;
}
