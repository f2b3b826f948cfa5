import type { Context, MiddlewareHandler } from "hono";
import type { AccountOverview } from "../../actors/user-shard/api";
import { ACR_MFA } from "../../oauth/acr";
import { readSessionCookie } from "../authorize/session-cookie";
import { operatorRole } from "../d1/operators";
import { OAuthError } from "../errors";
import type { Operator } from "../endpoints/admin/operator";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import type { AppEnv } from "../types";
import { endSession, readSession, startSignIn } from "./session";

export type ConsoleOperator = Extract<Operator, { kind: "console" }>;

/** The console's Hono environment: the signed-in operator is known to every page. */
export interface ConsoleEnv {
  Bindings: AppEnv["Bindings"];
  Variables: AppEnv["Variables"] & { operator: ConsoleOperator };
}

/** The provider session the console session came from, if it is still live (one shard call). */
async function liveAccount(c: Context<AppEnv>, sid: string, sub: string): Promise<AccountOverview | null> {
  const session = await readSessionCookie(c, c.var.config);
  if (!session) return null;
  const read = await callShard(c.env, c.var.config, session.bucket, (shard) => shard.accountOverview(session.bucket, session.hash));
  if (!read.ok && read.error === "login_required") return null;
  if (!read.ok) throw shardFailure(read, "sign-in", "the console");
  return read.userId === sub && read.sid === sid ? read : null;
}

/**
 * Every console page: a console session bound to a live provider session (else sign in
 * through /authorize), the MFA class when the operator has a second factor or
 * CONSOLE_MFA=required (else step up), and an operator grant in D1 (else 403).
 * A form posted without a session is not replayed after sign-in: it goes to /admin.
 */
const OPEN_PATHS = new Set(["/admin/console/callback", "/admin/console/sign-out"]);

export const requireOperator = (): MiddlewareHandler<ConsoleEnv> => async (c, next) => {
  const app = c as unknown as Context<AppEnv>;
  // The sign-in's own return and the sign-out form work without a console session.
  if (OPEN_PATHS.has(c.req.path)) return next();
  const here = c.req.method === "GET" ? new URL(c.req.url).pathname + new URL(c.req.url).search : "/admin";
  const session = await readSession(app);
  const account = session ? await liveAccount(app, session.sid, session.sub) : null;
  if (!session || !account) {
    endSession(app);
    return startSignIn(app, here, false);
  }
  if ((c.var.config.console.mfa === "required" || account.totp.enrolled) && session.acr !== ACR_MFA) return startSignIn(app, here, true);
  const role = await operatorRole(c.env.DB, session.sub);
  if (!role) throw new OAuthError("access_denied", 403, `${account.email} is not an operator of this deployment; an admin can grant access (npm run users -- grant-operator ${account.email} --role viewer)`);
  c.set("operator", { kind: "console", userId: session.sub, email: account.email, role });
  await next();
};
