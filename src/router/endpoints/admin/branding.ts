import { Hono } from "hono/tiny";
import type { Context } from "hono";
import { eventId } from "../../../audit/event-id";
import type { AuditMessage } from "../../../audit/message";
import { forgetClient } from "../../clients/registry";
import { setClientBranding } from "../../d1/client-branding";
import { getClientRow } from "../../d1/clients";
import { OAuthError, invalidRequest, notFound } from "../../errors";
import type { AppEnv } from "../../types";
import { imageFormatOf, LOGO_TYPES, logoExists, MAX_LOGO_BYTES, storeLogo } from "../../branding/logos";
import { readJson } from "./body";
import { brandingBody } from "./branding-schema";
import { clientIdParam } from "./clients";

/** Branding changes are operator changes to what people see at sign-in: audited (archive and window). */
async function audit(c: Context<AppEnv>, type: string, clientId: string | null, data: Record<string, unknown>): Promise<void> {
  const now = Date.now();
  const body: AuditMessage = { v: 1, events: [{ id: eventId(now), at: now, type, user_id: null, client_id: clientId, bucket: null, shard: null, data }] };
  await c.env.AUDIT_QUEUE.send(body, { contentType: "json" }).catch((e: unknown) => console.error(JSON.stringify({ level: "error", event: "branding.audit_lost", type, error: String(e) })));
}

/**
 * POST /admin/branding/logos: the body is the image (Content-Type image/png, image/jpeg or
 * image/webp, matching its signature bytes), at most MAX_LOGO_BYTES. Answers the logo's
 * name, for a client's `logo` or BRAND_LOGO.
 */
export const adminBrandingLogos = new Hono<AppEnv>().post("/logos", async (c) => {
  const declared = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!(Object.values(LOGO_TYPES) as string[]).includes(declared)) {
    throw new OAuthError("invalid_request", 415, "Content-Type must be image/png, image/jpeg or image/webp (SVG is not accepted)");
  }
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length === 0) throw invalidRequest("the body is empty: send the image bytes");
  if (bytes.length > MAX_LOGO_BYTES) throw new OAuthError("invalid_request", 413, `a logo may be at most ${MAX_LOGO_BYTES / 1024} KiB`);
  const format = imageFormatOf(bytes);
  if (format === null || LOGO_TYPES[format] !== declared) throw invalidRequest(`the body is not a ${declared} image`);
  const name = await storeLogo(c.env.BRANDING, bytes, format);
  await audit(c, "branding.logo_uploaded", null, { logo: name, bytes: bytes.length });
  return c.json({ logo: name, url: `/branding/${name}` }, 201);
});

/** GET, PUT, DELETE /admin/clients/:id/branding: the client's look over the deployment's. */
export const adminClientBranding = new Hono<AppEnv>()
  .get("/:id/branding", async (c) => {
    const row = await getClientRow(c.env.DB, clientIdParam(c.req.param("id")));
    if (!row) throw notFound("no such client");
    return c.json({ client_id: row.clientId, branding: row.branding ?? null });
  })
  .put("/:id/branding", async (c) => {
    const clientId = clientIdParam(c.req.param("id"));
    const body = await readJson(c, brandingBody);
    if (body.logo !== undefined && !(await logoExists(c.env.BRANDING, body.logo))) throw invalidRequest("logo: no such logo; upload it first (POST /admin/branding/logos)");
    const branding = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    if (!(await setClientBranding(c.env.DB, clientId, branding))) throw notFound("no such client");
    forgetClient(clientId);
    await audit(c, "client.branding_set", clientId, { branding });
    return c.json({ client_id: clientId, branding });
  })
  .delete("/:id/branding", async (c) => {
    const clientId = clientIdParam(c.req.param("id"));
    if (!(await setClientBranding(c.env.DB, clientId, null))) throw notFound("no such client");
    forgetClient(clientId);
    await audit(c, "client.branding_cleared", clientId, {});
    return c.body(null, 204);
  });
