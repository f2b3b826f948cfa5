import { Hono } from "hono/tiny";
import * as z from "zod/mini";
import { MAX_XML_LENGTH, SamlInputError } from "../../../saml/xml";
import { NAME_ID_FORMATS, parseSpMetadata, type NameIdFormat } from "../../../saml/sp-metadata";
import { deleteSamlSpRow, getSamlSpRow, listSamlSpRows, putSamlSpRow, samlSpView, type SamlSpRow } from "../../d1/saml-service-providers";
import { invalidRequest, notFound } from "../../errors";
import { forgetServiceProvider } from "../../saml/service-providers";
import type { AppEnv } from "../../types";
import { readJson } from "./body";

const ATTRIBUTE_NAME = /^[\x21-\x7e]{1,256}$/;

/** What an operator registers for a SAML service provider: its metadata XML and our choices for it. */
export const samlSpBody = z
  .strictObject({
    metadata_xml: z.string().check(z.minLength(1), z.maxLength(MAX_XML_LENGTH)),
    display_name: z._default(z.nullable(z.string().check(z.minLength(1), z.maxLength(200))), null),
    // Default: what the SP's metadata asks for, else emailAddress.
    name_id_format: z._default(z.nullable(z.enum(Object.keys(NAME_ID_FORMATS) as [NameIdFormat, ...NameIdFormat[]])), null),
    sign_response: z._default(z.boolean(), true),
    sign_assertion: z._default(z.boolean(), true),
    encrypt_assertion: z._default(z.boolean(), false),
    attribute_map: z._default(z.record(z.string().check(z.regex(ATTRIBUTE_NAME, "attribute names are 1-256 visible ASCII characters")), z.string().check(z.regex(ATTRIBUTE_NAME, "attribute names are 1-256 visible ASCII characters"))), {}),
  })
  .check(z.refine((b) => b.sign_response || b.sign_assertion, { message: "sign the response, the assertion or both: an unsigned assertion proves nothing", path: ["sign_assertion"] }));

/**
 * Operator API for SAML service providers, registered from their metadata XML. Every change
 * drops the SP from this isolate's cache; other isolates see it within CLIENT_CACHE_TTL_MS.
 */
export const adminSamlServiceProviders = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ service_providers: (await listSamlSpRows(c.env.DB)).map(samlSpView) }))
  .get("/:entityId", async (c) => {
    const row = await getSamlSpRow(c.env.DB, c.req.param("entityId"));
    if (!row) throw notFound("no such service provider");
    return c.json({ service_provider: samlSpView(row) });
  })
  .put("/", async (c) => {
    const body = await readJson(c, samlSpBody);
    let metadata;
    try {
      metadata = parseSpMetadata(body.metadata_xml);
    } catch (error) {
      if (error instanceof SamlInputError) throw invalidRequest(`metadata_xml: ${error.message}`);
      throw error;
    }
    if (body.encrypt_assertion && !metadata.encryptionCert) throw invalidRequest("encrypt_assertion: the metadata has no encryption certificate (KeyDescriptor use=\"encryption\")");
    const now = Date.now();
    const row: SamlSpRow = {
      entityId: metadata.entityId,
      displayName: body.display_name ?? metadata.entityId,
      metadata,
      nameIdFormat: body.name_id_format ?? metadata.nameIdFormat ?? "email",
      // WantAssertionsSigned in the SP's metadata (SAML Metadata §2.4.4) cannot be turned off here.
      signResponse: body.sign_response,
      signAssertion: body.sign_assertion || metadata.wantAssertionsSigned,
      encryptAssertion: body.encrypt_assertion,
      attributeMap: body.attribute_map,
      createdAt: now,
      updatedAt: now,
    };
    const saved = await putSamlSpRow(c.env.DB, row).finally(() => forgetServiceProvider(row.entityId));
    return c.json({ service_provider: samlSpView(saved.row) }, saved.created ? 201 : 200);
  })
  .delete("/:entityId", async (c) => {
    const entityId = c.req.param("entityId");
    const deleted = await deleteSamlSpRow(c.env.DB, entityId);
    forgetServiceProvider(entityId);
    if (!deleted) throw notFound("no such service provider");
    return c.body(null, 204);
  });
