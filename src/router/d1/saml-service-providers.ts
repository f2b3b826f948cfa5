import { noteD1 } from "../observability/trace";
import type { SpMetadata, NameIdFormat } from "../../saml/sp-metadata";
import type { SamlSpRow } from "../../saml/service-provider";

export type { SamlSpRow };
import { inD1 } from "./unavailable";

interface Stored {
  entity_id: string;
  display_name: string;
  metadata: string;
  name_id_format: string;
  sign_response: number;
  sign_assertion: number;
  encrypt_assertion: number;
  attribute_map: string;
  created_at: number;
  updated_at: number;
}

const COLUMNS = "entity_id, display_name, metadata, name_id_format, sign_response, sign_assertion, encrypt_assertion, attribute_map, created_at, updated_at";
const WHAT = "the SAML service provider registry";

function rowOf(s: Stored): SamlSpRow {
  return {
    entityId: s.entity_id,
    displayName: s.display_name,
    metadata: JSON.parse(s.metadata) as SpMetadata,
    nameIdFormat: s.name_id_format as NameIdFormat,
    signResponse: s.sign_response === 1,
    signAssertion: s.sign_assertion === 1,
    encryptAssertion: s.encrypt_assertion === 1,
    attributeMap: JSON.parse(s.attribute_map) as Record<string, string>,
    createdAt: s.created_at,
    updatedAt: s.updated_at,
  };
}

/** As the operator API shows it. */
export function samlSpView(row: SamlSpRow) {
  const m = row.metadata;
  return {
    entity_id: row.entityId,
    display_name: row.displayName,
    acs_urls: m.acs.map((a) => a.url),
    slo: m.slo,
    signing_certificates: m.signingCerts.length,
    want_authn_requests_signed: m.authnRequestsSigned,
    name_id_format: row.nameIdFormat,
    sign_response: row.signResponse,
    sign_assertion: row.signAssertion,
    encrypt_assertion: row.encryptAssertion,
    attribute_map: row.attributeMap,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

export async function getSamlSpRow(d1: D1Database, entityId: string): Promise<SamlSpRow | null> {
  noteD1();
  const stored = await inD1(WHAT, () => d1.prepare(`SELECT ${COLUMNS} FROM saml_service_providers WHERE entity_id = ?`).bind(entityId).first<Stored>());
  return stored ? rowOf(stored) : null;
}

export async function listSamlSpRows(d1: D1Database): Promise<SamlSpRow[]> {
  noteD1();
  const { results } = await inD1(WHAT, () => d1.prepare(`SELECT ${COLUMNS} FROM saml_service_providers ORDER BY entity_id`).all<Stored>());
  return results.map(rowOf);
}

/** Creates or replaces the SP (created_at kept on replace); the stored row, and whether it is new. */
export async function putSamlSpRow(d1: D1Database, row: SamlSpRow): Promise<{ row: SamlSpRow; created: boolean }> {
  noteD1();
  const stored = await inD1(WHAT, () =>
    d1
      .prepare(
        `INSERT INTO saml_service_providers (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (entity_id) DO UPDATE SET display_name = excluded.display_name, metadata = excluded.metadata,
           name_id_format = excluded.name_id_format, sign_response = excluded.sign_response, sign_assertion = excluded.sign_assertion, encrypt_assertion = excluded.encrypt_assertion,
           attribute_map = excluded.attribute_map, updated_at = excluded.updated_at
         RETURNING ${COLUMNS}`,
      )
      .bind(row.entityId, row.displayName, JSON.stringify(row.metadata), row.nameIdFormat, row.signResponse ? 1 : 0, row.signAssertion ? 1 : 0, row.encryptAssertion ? 1 : 0, JSON.stringify(row.attributeMap), row.createdAt, row.updatedAt)
      .first<Stored>(),
  );
  const saved = rowOf(stored!);
  return { row: saved, created: saved.createdAt === row.createdAt };
}

export async function deleteSamlSpRow(d1: D1Database, entityId: string): Promise<boolean> {
  noteD1();
  const { results } = await inD1(WHAT, () => d1.prepare("DELETE FROM saml_service_providers WHERE entity_id = ? RETURNING entity_id").bind(entityId).all());
  return results.length === 1;
}
