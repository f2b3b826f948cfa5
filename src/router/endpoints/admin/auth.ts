import type { MiddlewareHandler } from "hono";
import { timingSafeEqualStrings } from "../../../oauth/secrets";
import { OAuthError } from "../../errors";
import type { AppEnv } from "../../types";

const challenge = { "WWW-Authenticate": 'Bearer realm="authshard-admin"' };

/**
 * Operator API guard: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant
 * time. With ADMIN_TOKEN unset the whole API answers 404, as if it did not exist.
 */
export const requireAdmin = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const expected = c.var.config.adminToken;
  if (expected === null) throw new OAuthError("not_found", 404, "the operator API is disabled (ADMIN_TOKEN is not set)");
  const header = c.req.header("Authorization") ?? "";
  const match = /^Bearer ([\x21-\x7e]+)$/.exec(header);
  if (!match) {
    throw new OAuthError("invalid_token", 401, "operator API requires Authorization: Bearer <ADMIN_TOKEN>", { headers: challenge });
  }
  if (!(await timingSafeEqualStrings(match[1]!, expected))) {
    throw new OAuthError("invalid_token", 401, "the operator token is not valid", {
      headers: { "WWW-Authenticate": 'Bearer realm="authshard-admin", error="invalid_token"' },
    });
  }
  await next();
};
