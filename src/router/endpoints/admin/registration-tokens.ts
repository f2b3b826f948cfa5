import { Hono } from "hono/tiny";
import * as z from "zod/mini";
import { formatScope, parseScope } from "../../../oauth/scopes";
import { randomToken, sha256 } from "../../../oauth/secrets";
import {
  deleteRegistrationToken,
  insertRegistrationToken,
  listRegistrationTokens,
  type RegistrationTokenRow,
} from "../../d1/registration-tokens";
import { notFound } from "../../errors";
import { REGISTRABLE_GRANT_TYPES } from "../../registration/metadata";
import type { AppEnv } from "../../types";
import { readJson } from "./body";
import { AUTH_METHODS } from "../../clients/auth-methods";

const DAY_S = 86_400;

/** An initial access token's policy (RFC 7591 §3: the server decides what a token allows), uses and lifetime. */
const mintBody = z.strictObject({
  grant_types: z._default(z.array(z.enum(REGISTRABLE_GRANT_TYPES)).check(z.minLength(1)), ["authorization_code"]),
  scope: z._default(
    z.string().check(
      z.maxLength(1000),
      z.refine((s) => parseScope(s) !== null, "must be space-separated scope tokens (RFC 6749 §3.3)"),
    ),
    "openid",
  ),
  token_endpoint_auth_methods: z._default(z.nullable(z.array(z.enum(AUTH_METHODS)).check(z.minLength(1))), null),
  max_uses: z._default(z.int().check(z.minimum(1), z.maximum(100_000)), 1),
  ttl_s: z._default(z.int().check(z.minimum(60), z.maximum(365 * DAY_S)), DAY_S),
  label: z._default(z.nullable(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))), null),
});

/** A token as the operator API shows it: never the token, never its hash. */
function tokenView(row: RegistrationTokenRow, now = Date.now()) {
  const state = row.expiresAt <= now ? "expired" : row.used >= row.maxUses ? "used_up" : "active";
  return {
    id: row.id,
    label: row.label,
    grant_types: row.grantTypes,
    scope: row.scope,
    token_endpoint_auth_methods: row.tokenEndpointAuthMethods,
    max_uses: row.maxUses,
    used: row.used,
    expires_at: row.expiresAt,
    created_at: row.createdAt,
    state,
  };
}

const idParam = (raw: string) => (/^[A-Za-z0-9_-]{1,64}$/.test(raw) ? raw : null);

/**
 * Operator API for initial access tokens (RFC 7591 §3), mounted at
 * /admin/registration-tokens. The token is shown once, in the answer to the POST that
 * mints it; D1 keeps its SHA-256. Deleting a token stops further registrations with it;
 * the clients it registered stay (delete them by id if they must go too).
 */
export const adminRegistrationTokens = new Hono<AppEnv>()
  .post("/", async (c) => {
    const body = await readJson(c, mintBody);
    const token = randomToken();
    const now = Date.now();
    const row: RegistrationTokenRow = {
      id: randomToken(9),
      tokenHash: await sha256(token),
      label: body.label,
      grantTypes: [...new Set(body.grant_types)],
      scope: formatScope(parseScope(body.scope)!),
      tokenEndpointAuthMethods: body.token_endpoint_auth_methods === null ? null : [...new Set(body.token_endpoint_auth_methods)],
      maxUses: body.max_uses,
      used: 0,
      expiresAt: now + body.ttl_s * 1000,
      createdAt: now,
    };
    await insertRegistrationToken(c.env.DB, row);
    return c.json({ initial_access_token: token, token: tokenView(row, now) }, 201);
  })
  .get("/", async (c) => c.json({ tokens: (await listRegistrationTokens(c.env.DB)).map((row) => tokenView(row)) }))
  .delete("/:id", async (c) => {
    const id = idParam(c.req.param("id"));
    if (id === null || !(await deleteRegistrationToken(c.env.DB, id))) throw notFound("no such initial access token");
    return c.body(null, 204);
  });
