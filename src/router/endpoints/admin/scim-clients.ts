import { Hono } from "hono/tiny";
import * as z from "zod/mini";
import { randomToken, sha256 } from "../../../oauth/secrets";
import { auditDefinition } from "../../access/audit";
import { notFound } from "../../errors";
import { newScimToken } from "../../scim/auth";
import type { AppEnv } from "../../types";
import { readJson } from "./body";

const createBody = z.strictObject({ name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)) });

/** Operator API for SCIM provisioning clients: the token is shown once, only its hash is kept. */
export const adminScimClients = new Hono<AppEnv>()
  .post("/", async (c) => {
    const body = await readJson(c, createBody);
    const id = randomToken(12);
    const token = newScimToken();
    await c.env.DB.prepare("INSERT INTO scim_clients (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)").bind(id, body.name, await sha256(token), Date.now()).run();
    await auditDefinition(c.env, "scim_client.created", { scim_client: id, name: body.name });
    return c.json({ id, name: body.name, token }, 201);
  })
  .get("/", async (c) => {
    const rows = await c.env.DB.prepare("SELECT id, name, created_at, revoked_at FROM scim_clients ORDER BY created_at").all();
    return c.json({ scim_clients: rows.results });
  })
  .delete("/:id", async (c) => {
    const result = await c.env.DB.prepare("UPDATE scim_clients SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").bind(Date.now(), c.req.param("id")).run();
    if ((result.meta.changes ?? 0) === 0) throw notFound("no such SCIM client");
    await auditDefinition(c.env, "scim_client.revoked", { scim_client: c.req.param("id") });
    return c.body(null, 204);
  });
