import { Hono } from "hono/tiny";
import { idpMetadataXml } from "../../saml/idp-metadata";
import type { AppEnv } from "../types";
import { samlSigning } from "./keys";

/**
 * GET /saml/metadata (SAML V2.0 Metadata §2.4.3, served as §4.1's well-known location
 * would): the IdP's EntityDescriptor with a certificate per published RS256 key. It
 * changes when keys rotate; SPs that refresh it trust the next key before it signs.
 */
export const samlMetadata = new Hono<AppEnv>().get("/saml/metadata", async (c) => {
  const keys = await samlSigning(c.env, c.var.config);
  c.header("Cache-Control", "public, max-age=300");
  c.header("Content-Type", "application/samlmetadata+xml; charset=utf-8");
  return c.body(idpMetadataXml(c.var.config.issuer, keys.certificates.map((k) => k.certificate)));
});
