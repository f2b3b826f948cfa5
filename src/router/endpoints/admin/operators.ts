import type { Context } from "hono";
import { Hono } from "hono/tiny";
import * as z from "zod/mini";
import { newId } from "../../../oauth/artifacts";
import { randomToken, sha256 } from "../../../oauth/secrets";
import { insertAdminToken, listAdminTokens, revokeAdminToken, TOKEN_SCOPES } from "../../d1/admin-tokens";
import { grantOperator, listOperators, OPERATOR_ROLES, revokeOperator } from "../../d1/operators";
import { OAuthError } from "../../errors";
import type { AppEnv } from "../../types";
import { MAX_EMAIL_LENGTH, normalizeEmail } from "../../users/email";
import { findUserByEmail, getUser, requireEmail } from "../../users/service";
import { readJson } from "./body";
import { forgetAdminTokens, operatorLabel, operatorOf } from "./operator";

const grantBody = z.strictObject({
  email: z.string().check(z.maxLength(MAX_EMAIL_LENGTH)),
  role: z.enum(OPERATOR_ROLES as ["viewer", "admin"]),
});
const tokenBody = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  scope: z.enum(TOKEN_SCOPES as ["read", "full"]),
});

const who = (c: Context) => {
  const operator = operatorOf(c);
  return operator ? operatorLabel(operator) : "unknown";
};

/** Operator API for the console's operators (by email) — grant, change, revoke, list. */
export const adminOperators = new Hono<AppEnv>()
  .get("/", async (c) => {
    const rows = await listOperators(c.env.DB);
    const emails = await Promise.all(rows.map((row) => getUser(c.env, c.var.config, row.user_id).then((u) => u.email, () => null)));
    return c.json({ operators: rows.map((row, i) => ({ ...row, email: emails[i] })) });
  })
  .post("/", async (c) => {
    const body = await readJson(c, grantBody);
    const user = await findUserByEmail(c.env, c.var.config, requireEmail(body.email, normalizeEmail));
    const row = await grantOperator(c.env.DB, user.id, body.role, who(c), Date.now());
    return c.json({ operator: { ...row, email: user.email } }, 201);
  })
  .delete("/:id", async (c) => {
    if (!(await revokeOperator(c.env.DB, c.req.param("id")))) throw new OAuthError("not_found", 404, "this user is not an operator");
    return c.body(null, 204);
  });

/**
 * Operator API tokens: scoped (read | full), named, revocable. The secret (`ast_…`) is
 * shown once, at creation; only its SHA-256 is stored.
 */
export const adminOperatorTokens = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ tokens: await listAdminTokens(c.env.DB) }))
  .post("/", async (c) => {
    const body = await readJson(c, tokenBody);
    const token = `ast_${randomToken(32)}`;
    const row = { id: newId(), name: body.name, scope: body.scope, created_by: who(c), created_at: Date.now() };
    await insertAdminToken(c.env.DB, row, await sha256(token));
    return c.json({ token: { ...row, last_used_at: null, revoked_at: null }, secret: token }, 201);
  })
  .delete("/:id", async (c) => {
    const id = c.req.param("id");
    if (id.length > 64 || !(await revokeAdminToken(c.env.DB, id, Date.now()))) throw new OAuthError("not_found", 404, "no live operator token with this id");
    forgetAdminTokens();
    return c.body(null, 204);
  });
