import type { MiddlewareHandler } from "hono";
import { timingSafeEqualStrings } from "../../../oauth/secrets";
import { OAuthError } from "../../errors";
import type { AppEnv } from "../../types";
import { admitOperator, mayChange, operatorForToken, operatorOf, type Operator } from "./operator";

const challenge = { "WWW-Authenticate": 'Bearer realm="authshard-admin"' };
const READS = new Set(["GET", "HEAD"]);

/**
 * Operator API guard: `Authorization: Bearer <token>`, either ADMIN_TOKEN (compared in
 * constant time; full access) or a scoped operator token (looked up by its hash). With
 * ADMIN_TOKEN unset the API answers 404 to bearer callers, as if it did not exist; the
 * admin console's in-process calls carry the signed-in operator instead of a token.
 * A read-only caller gets 403 on anything but GET.
 */
export const requireAdmin = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const operator = operatorOf(c) ?? (await bearerOperator(c.req.header("Authorization") ?? "", c.var.config.adminToken, c.env.DB));
  admitOperator(c, operator);
  if (!READS.has(c.req.method) && !mayChange(operator)) {
    throw new OAuthError("insufficient_scope", 403, "this operator may only read (a read-only token or a viewer); ask an admin", {
      headers: { "WWW-Authenticate": 'Bearer realm="authshard-admin", error="insufficient_scope"' },
    });
  }
  await next();
};

async function bearerOperator(header: string, expected: string | null, d1: D1Database): Promise<Operator> {
  if (expected === null) throw new OAuthError("not_found", 404, "the operator API is disabled (ADMIN_TOKEN is not set)");
  const match = /^Bearer ([\x21-\x7e]+)$/.exec(header);
  if (!match) {
    throw new OAuthError("invalid_token", 401, "operator API requires Authorization: Bearer <ADMIN_TOKEN or an operator token>", { headers: challenge });
  }
  if (await timingSafeEqualStrings(match[1]!, expected)) return { kind: "token", tokenId: null, name: "ADMIN_TOKEN", scope: "full" };
  const scoped = match[1]!.startsWith("ast_") ? await operatorForToken(d1, match[1]!) : null;
  if (scoped) return scoped;
  throw new OAuthError("invalid_token", 401, "the operator token is not valid", {
    headers: { "WWW-Authenticate": 'Bearer realm="authshard-admin", error="invalid_token"' },
  });
}
