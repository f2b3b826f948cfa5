import type { Context } from "hono";
import { enforce } from "../rate-limit/limit";
import { counterKey } from "../rate-limit/keys";
import { SCIM_CLIENT } from "../rate-limit/rules";
import { Hono } from "hono/tiny";
import { noStore } from "../no-store";
import { requireScimClient, type ScimEnv } from "./auth";
import { runBulk } from "./bulk";
import type { ScimContext, ScimResult } from "./context";
import { invalidSyntax, notFound, SCIM_MEDIA_TYPE, ScimError, scimErrorResponse } from "./errors";
import { listOf, resourceTypes, schemas, serviceProviderConfig } from "./discovery";
import { createScimGroup, deleteScimGroup, getScimGroup, listScimGroups, patchScimGroup, replaceScimGroup } from "./groups";
import { etagOf, ifMatchOf } from "./user-resource";
import { createScimUser, deleteScimUser, getScimUser, listScimUsers, patchScimUser, replaceScimUser } from "./users";

/** Bodies of single-resource requests; /Bulk has its own limit (maxPayloadSize). */
const MAX_BODY = 64 * 1024;

function contextOf(c: Context<ScimEnv>): ScimContext {
  return { env: c.env, config: c.var.config, clientId: c.var.scimClientId ?? "anonymous", base: `${c.var.config.issuer}/scim/v2` };
}

function respond(c: Context, result: ScimResult): Response {
  const headers: Record<string, string> = { "Content-Type": SCIM_MEDIA_TYPE };
  if (result.version !== undefined) headers.ETag = etagOf(result.version);
  if (result.status === 201 && result.location) headers.Location = result.location;
  if (result.body === undefined) return c.body(null, result.status as 204, headers);
  return c.body(JSON.stringify(result.body), result.status as 200, headers);
}

/** The body as text, checked for media type (application/scim+json or application/json) and size. */
async function readText(c: Context, max: number): Promise<string> {
  const type = c.req.header("Content-Type") ?? "";
  if (!/^application\/(scim\+)?json\b/i.test(type)) throw new ScimError(415, "Content-Type must be application/scim+json");
  const text = await c.req.text();
  if (text.length > max) throw new ScimError(413, `the request body is larger than ${max} bytes`);
  return text;
}

async function readBody(c: Context): Promise<unknown> {
  const text = await readText(c, MAX_BODY);
  try {
    return JSON.parse(text);
  } catch {
    throw invalidSyntax("the body is not valid JSON");
  }
}

const ifMatch = (c: Context) => ifMatchOf(c.req.header("If-Match"));
const query = (c: Context) => c.req.query() as Record<string, string | undefined>;

function byId<T extends { id: string }>(list: T[], id: string, what: string): T {
  const found = list.find((r) => r.id === id);
  if (!found) throw notFound(what);
  return found;
}

const discovery = new Hono<ScimEnv>()
  .get("/ServiceProviderConfig", (c) => respond(c, { status: 200, body: serviceProviderConfig(contextOf(c)) }))
  .get("/ResourceTypes", (c) => respond(c, { status: 200, body: listOf(resourceTypes(contextOf(c))) }))
  .get("/ResourceTypes/:id", (c) => respond(c, { status: 200, body: byId(resourceTypes(contextOf(c)), c.req.param("id"), "ResourceType") }))
  .get("/Schemas", (c) => respond(c, { status: 200, body: listOf(schemas(contextOf(c))) }))
  .get("/Schemas/:id", (c) => respond(c, { status: 200, body: byId(schemas(contextOf(c)), c.req.param("id"), "Schema") }));

const resources = new Hono<ScimEnv>()
  .use("*", requireScimClient())
  // Counted once the token is accepted, per provisioning client: an IdP's burst (a first
  // full push) is slowed with 429 + Retry-After, which Okta and Entra honour, and cannot
  // starve the other clients; a wrong token spends nothing.
  .use("*", async (c, next) => {
    await enforce(c.env, c.var.config, SCIM_CLIENT, () => counterKey("scim", c.var.scimClientId));
    await next();
  })
  .get("/Users", async (c) => respond(c, await listScimUsers(contextOf(c), query(c))))
  .post("/Users", async (c) => respond(c, await createScimUser(contextOf(c), await readBody(c))))
  .get("/Users/:id", async (c) => respond(c, await getScimUser(contextOf(c), c.req.param("id"))))
  .put("/Users/:id", async (c) => respond(c, await replaceScimUser(contextOf(c), c.req.param("id"), await readBody(c), ifMatch(c))))
  .patch("/Users/:id", async (c) => respond(c, await patchScimUser(contextOf(c), c.req.param("id"), await readBody(c), ifMatch(c))))
  .delete("/Users/:id", async (c) => respond(c, await deleteScimUser(contextOf(c), c.req.param("id"), ifMatch(c))))
  .get("/Groups", async (c) => respond(c, await listScimGroups(contextOf(c), query(c))))
  .post("/Groups", async (c) => respond(c, await createScimGroup(contextOf(c), await readBody(c))))
  .get("/Groups/:id", async (c) => respond(c, await getScimGroup(contextOf(c), c.req.param("id"), query(c))))
  .put("/Groups/:id", async (c) => respond(c, await replaceScimGroup(contextOf(c), c.req.param("id"), await readBody(c), ifMatch(c))))
  .patch("/Groups/:id", async (c) => respond(c, await patchScimGroup(contextOf(c), c.req.param("id"), await readBody(c), ifMatch(c))))
  .delete("/Groups/:id", async (c) => respond(c, await deleteScimGroup(contextOf(c), c.req.param("id"), ifMatch(c))))
  .post("/Bulk", async (c) => respond(c, { status: 200, body: await runBulk(contextOf(c), await readText(c, Number.MAX_SAFE_INTEGER)) }));

/**
 * SCIM 2.0 (RFC 7643, RFC 7644) at /scim/v2: Users and Groups of this provider — the
 * same users (email index in D1, data in the user's shard), the same groups as roles use.
 * Every error, including unknown paths, is in the SCIM error schema.
 */
export const scim = new Hono<ScimEnv>()
  .use("*", noStore())
  .use("*", async (c, next) => {
    try {
      await next();
    } catch (error) {
      c.res = scimErrorResponse(c, error);
    }
  })
  .route("/", discovery)
  .route("/", resources)
  .all("*", () => {
    throw new ScimError(404, "no such SCIM endpoint");
  });
scim.onError((error, c) => scimErrorResponse(c, error));
