import { noteD1 } from "../observability/trace";
import { inD1 } from "./unavailable";

// client_secret_jwt clients' sealed secrets (schema/d1 client_sealed_secrets).
const WHAT = "the client registry";

export async function getSealedSecret(d1: D1Database, clientId: string): Promise<string | null> {
  noteD1();
  const row = await inD1(WHAT, () => d1.prepare("SELECT sealed FROM client_sealed_secrets WHERE client_id = ?").bind(clientId).first<{ sealed: string }>());
  return row?.sealed ?? null;
}

export async function putSealedSecret(d1: D1Database, clientId: string, sealed: string): Promise<void> {
  noteD1();
  await inD1(WHAT, () =>
    d1
      .prepare("INSERT INTO client_sealed_secrets (client_id, sealed, updated_at) VALUES (?, ?, ?) ON CONFLICT (client_id) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at")
      .bind(clientId, sealed, Date.now())
      .run(),
  );
}

export async function deleteSealedSecret(d1: D1Database, clientId: string): Promise<void> {
  noteD1();
  await inD1(WHAT, () => d1.prepare("DELETE FROM client_sealed_secrets WHERE client_id = ?").bind(clientId).run());
}
