import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { ClientView } from "../d1/client-view";
import { OAuthError } from "../errors";
import type { Params } from "../http/params";
import { callApi, mustGet } from "./api";
import type { ConsoleEnv } from "./guard";
import { consoleForm, frameOf } from "./page";
import { ClientPage, ClientsPage, EMPTY_CLIENT, type ClientUsage, type NewClientFields } from "./views/clients";

/**
 * Clients: list, create, edit, rotate the secret, delete, and a client's recent usage
 * (GET /admin/clients/:id/usage) — each one operator API request
 * (PUT /admin/clients/:id, POST …/rotate-secret, DELETE), whose validation errors are
 * shown on the page next to what the operator typed. A generated secret is shown once.
 */

/** What the API reports about a client but does not take back in a PUT. */
const READ_ONLY = new Set(["client_id", "registered_dynamically", "initial_access_token_id", "metadata", "created_at", "updated_at"]);

function settingsOf(client: ClientView): string {
  return JSON.stringify(Object.fromEntries(Object.entries(client).filter(([key]) => !READ_ONLY.has(key))), null, 2);
}

const pathOf = (id: string) => `/clients/${encodeURIComponent(id)}`;

async function list(c: Context<ConsoleEnv>, fields: NewClientFields, extra: { notice?: string; error?: string } = {}, secret: { clientId: string; secret: string } | null = null, status: 200 | 201 | 400 | 403 = 200) {
  const { clients } = await mustGet<{ clients: ClientView[] }>(c, "/clients");
  return c.html(<ClientsPage frame={await frameOf(c, extra)} clients={clients} fields={fields} secret={secret} />, status);
}

async function one(c: Context<ConsoleEnv>, id: string, extra: { notice?: string; error?: string } = {}, secret: string | null = null, typed: string | null = null, status: 200 | 400 | 403 | 404 | 409 = 200) {
  const [{ client }, usage] = await Promise.all([mustGet<{ client: ClientView }>(c, pathOf(id)), mustGet<ClientUsage>(c, `${pathOf(id)}/usage`)]);
  return c.html(<ClientPage frame={await frameOf(c, extra)} client={client} usage={usage} settings={typed ?? settingsOf(client)} secret={secret} />, status);
}

function typedFields(form: Params, grants: string[]): NewClientFields {
  return {
    client_id: (form.get("client_id") ?? "").trim(),
    client_name: form.get("client_name") ?? "",
    client_type: form.get("client_type") ?? "confidential",
    redirect_uris: form.get("redirect_uris") ?? "",
    scope: form.get("scope") ?? "",
    grant_types: grants,
  };
}

const failStatus = (status: number) => (status === 403 || status === 404 || status === 409 ? status : 400);

async function create(c: Context<ConsoleEnv>) {
  const form = await consoleForm(c);
  const grants = (form.get("grant_types") ?? "").split(/\s+/).filter((g) => g !== "");
  const fields = typedFields(form, grants);
  if (fields.client_id === "") return list(c, fields, { error: "client_id: is required" }, null, 400);
  const exists = await callApi(c, "GET", pathOf(fields.client_id));
  if (exists.ok) return list(c, fields, { error: `client_id: ${fields.client_id} is already registered; edit it from its page` }, null, 400);
  const body = {
    client_name: fields.client_name,
    client_type: fields.client_type,
    redirect_uris: fields.redirect_uris.split(/\r?\n/).map((u) => u.trim()).filter((u) => u !== ""),
    scope: fields.scope.trim() || "openid",
    grant_types: grants.length > 0 ? grants : ["authorization_code"],
  };
  const done = await callApi<{ client: ClientView; client_secret?: string }>(c, "PUT", pathOf(fields.client_id), body);
  if (!done.ok) return list(c, fields, { error: done.error }, null, failStatus(done.status) as 400);
  const secret = done.body.client_secret ? { clientId: fields.client_id, secret: done.body.client_secret } : null;
  return list(c, EMPTY_CLIENT, { notice: `Client ${fields.client_id} created.` }, secret, 201);
}

async function change(c: Context<ConsoleEnv>) {
  const form = await consoleForm(c);
  const id = c.req.param("id")!;
  switch (form.get("action")) {
    case "save": {
      const typed = form.get("settings") ?? "";
      let body: unknown;
      try {
        body = JSON.parse(typed);
      } catch {
        return one(c, id, { error: "settings: not valid JSON" }, null, typed, 400);
      }
      const done = await callApi(c, "PUT", pathOf(id), body);
      if (!done.ok) return one(c, id, { error: done.error }, null, typed, failStatus(done.status) as 400);
      return one(c, id, { notice: "Saved." });
    }
    case "rotate_secret": {
      const done = await callApi<{ client_secret: string }>(c, "POST", `${pathOf(id)}/rotate-secret`);
      if (!done.ok) return one(c, id, { error: done.error }, null, null, failStatus(done.status) as 400);
      return one(c, id, { notice: "Secret rotated: the old one no longer works." }, done.body.client_secret);
    }
    case "delete": {
      const done = await callApi(c, "DELETE", pathOf(id));
      if (!done.ok) return one(c, id, { error: done.error }, null, null, failStatus(done.status) as 400);
      return list(c, EMPTY_CLIENT, { notice: `Client ${id} deleted.` });
    }
    default:
      throw new OAuthError("invalid_request", 400, "unknown client action");
  }
}

export const consoleClients = new Hono<ConsoleEnv>()
  .get("/admin/console/clients", (c) => list(c, EMPTY_CLIENT))
  .post("/admin/console/clients", create)
  .get("/admin/console/clients/:id", (c) => one(c, c.req.param("id")))
  .post("/admin/console/clients/:id", change);
