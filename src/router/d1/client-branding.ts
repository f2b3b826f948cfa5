import { noteD1 } from "../observability/trace";
import { inD1 } from "./unavailable";

/**
 * The clients table's `branding` column: written here only (the registration columns and
 * settings are d1/clients.ts's), read with the rest of the row into the cached registration.
 * Returns false when there is no such client.
 */
export async function setClientBranding(d1: D1Database, clientId: string, branding: Record<string, unknown> | null): Promise<boolean> {
  noteD1();
  const { results } = await inD1("the client registry", () =>
    d1
      .prepare("UPDATE clients SET branding = ?, updated_at = ? WHERE client_id = ? RETURNING client_id")
      .bind(branding === null ? null : JSON.stringify(branding), Date.now(), clientId)
      .all(),
  );
  return results.length === 1;
}
