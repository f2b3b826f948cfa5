import { Hono } from "hono";
import { randomToken, sha256 } from "../../../oauth/secrets";
import {
  clientView,
  deleteClientRow,
  getClientRow,
  listClientRows,
  setClientSecretHash,
  upsertClientRow,
  type ClientRow,
} from "../../d1/clients";
import { OAuthError, invalidRequest, notFound } from "../../errors";
import type { AppEnv } from "../../types";
import { readJson } from "./body";
import { CLIENT_ID, clientBody } from "./client-schema";

function clientIdParam(raw: string): string {
  if (!CLIENT_ID.test(raw)) throw invalidRequest("client_id must be 1-128 characters of A-Z a-z 0-9 . _ ~ -");
  return raw;
}

/**
 * Operator API for clients. Secrets are stored as SHA-256 only and shown once:
 * when generated on creation or rotation. (A fast hash is sound for generated
 * 256-bit secrets; operator-chosen secrets should be just as random.)
 */
export const adminClients = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ clients: (await listClientRows(c.env.DB)).map(clientView) }))
  .get("/:id", async (c) => {
    const row = await getClientRow(c.env.DB, clientIdParam(c.req.param("id")));
    if (!row) throw notFound("no such client");
    return c.json({ client: clientView(row) });
  })
  .put("/:id", async (c) => {
    const clientId = clientIdParam(c.req.param("id"));
    const body = await readJson(c, clientBody);
    const existing = await getClientRow(c.env.DB, clientId);
    const now = Date.now();
    let generated: string | undefined;
    let secretHash: string | null = null;
    if (body.client_type === "confidential") {
      if (body.client_secret !== undefined) secretHash = await sha256(body.client_secret);
      else if (existing?.secretHash) secretHash = existing.secretHash;
      else secretHash = await sha256((generated = randomToken()));
    }
    const row: ClientRow = {
      clientId,
      clientName: body.client_name,
      clientType: body.client_type,
      secretHash,
      redirectUris: body.redirect_uris,
      grantTypes: [...new Set(body.grant_types)],
      scope: [...new Set(body.scope.split(" "))].join(" "),
      tokenEndpointAuthMethod: body.client_type === "public" ? "none" : "client_secret_basic",
      idTokenSignedResponseAlg: body.id_token_signed_response_alg,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await upsertClientRow(c.env.DB, row);
    return c.json({ client: clientView(row), ...(generated ? { client_secret: generated } : {}) }, existing ? 200 : 201);
  })
  .post("/:id/rotate-secret", async (c) => {
    const clientId = clientIdParam(c.req.param("id"));
    const row = await getClientRow(c.env.DB, clientId);
    if (!row) throw notFound("no such client");
    if (row.clientType !== "confidential") throw new OAuthError("invalid_request", 400, "public clients have no secret");
    const secret = randomToken();
    await setClientSecretHash(c.env.DB, clientId, await sha256(secret));
    return c.json({ client_id: clientId, client_secret: secret });
  })
  .delete("/:id", async (c) => {
    if (!(await deleteClientRow(c.env.DB, clientIdParam(c.req.param("id"))))) throw notFound("no such client");
    return c.body(null, 204);
  });
