import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { Config } from "../../config";
import type { AdminTokenRow } from "../d1/admin-tokens";
import type { OperatorRow } from "../d1/operators";
import { OAuthError } from "../errors";
import type { Params } from "../http/params";
import { callApi, mustGet, type ApiAnswer } from "./api";
import type { ConsoleEnv } from "./guard";
import { consoleForm, frameOf } from "./page";
import { SettingsPage } from "./views/settings";

/** Settings: the effective configuration (no secrets), the operators and the operator API tokens. */

function effective(config: Config): [string, string][] {
  const onOff = (b: boolean) => (b ? "on" : "off");
  return [
    ["ISSUER", config.issuer],
    ["SHARD_COUNT (initial)", String(config.shardCount)],
    ["ADMIN_TOKEN", config.adminToken === null ? "unset (bearer API off)" : "set"],
    ["ACCESS_TOKEN_TTL_S / ID_TOKEN_TTL_S / CODE_TTL_S", `${config.accessTokenTtlS} / ${config.idTokenTtlS} / ${config.codeTtlS}`],
    ["SESSION_IDLE_TTL_S / SESSION_MAX_TTL_S", `${config.sessionIdleTtlS} / ${config.sessionMaxTtlS}`],
    ["REFRESH_IDLE_TTL_S / REFRESH_MAX_TTL_S / REFRESH_GRACE_S", `${config.refreshIdleTtlS} / ${config.refreshMaxTtlS} / ${config.refreshGraceS}`],
    ["KEY_ROTATION_INTERVAL_S", String(config.keyRotationIntervalS)],
    ["CLIENT_CACHE_TTL_MS / MAP_CACHE_TTL_MS / KEY_CACHE_TTL_MS", `${config.clientCacheTtlMs} / ${config.mapCacheTtlMs} / ${config.keyCacheTtlMs}`],
    ["REGISTRATION", config.registration],
    ["RATE_LIMITS", onOff(config.rateLimits)],
    ["REQUIRE_PAR", onOff(config.requirePar)],
    ["DPOP_NONCE", config.dpopNonce],
    ["MFA_REQUIRED", onOff(config.mfa.required)],
    ["AUDIT_RETENTION_DAYS", String(config.auditRetentionDays)],
    ["LOG_REQUESTS", config.logRequests],
    ["CONSOLE_MFA / CONSOLE_SESSION_TTL_S", `${config.console.mfa} / ${config.console.sessionTtlS}`],
  ];
}

async function show(c: Context<ConsoleEnv>, extra: { notice?: string; error?: string } = {}, newToken: { name: string; secret: string } | null = null, status: 200 | 201 | 400 | 403 | 404 = 200) {
  const [operators, tokens] = await Promise.all([
    mustGet<{ operators: (OperatorRow & { email: string | null })[] }>(c, "/operators"),
    mustGet<{ tokens: AdminTokenRow[] }>(c, "/operator-tokens"),
  ]);
  return c.html(<SettingsPage frame={await frameOf(c, extra)} config={effective(c.var.config)} operators={operators.operators} tokens={tokens.tokens} newToken={newToken} />, status);
}

/** One operator API request per form. */
function requestFor(form: Params): [method: "POST" | "DELETE", path: string, body: unknown, notice: string] {
  switch (form.get("action")) {
    case "grant_operator":
      return ["POST", "/operators", { email: form.get("email") ?? "", role: form.get("role") ?? "" }, `${form.get("email")} is now ${form.get("role") === "admin" ? "an admin" : "a viewer"}.`];
    case "revoke_operator":
      return ["DELETE", `/operators/${encodeURIComponent(form.get("user_id") ?? "")}`, undefined, "Operator access revoked."];
    case "create_token":
      return ["POST", "/operator-tokens", { name: form.get("name") ?? "", scope: form.get("scope") ?? "" }, "Token created."];
    case "revoke_token":
      return ["DELETE", `/operator-tokens/${encodeURIComponent(form.get("token_id") ?? "")}`, undefined, "Token revoked: it is refused from now on (other isolates within 10 s)."];
    default:
      throw new OAuthError("invalid_request", 400, "unknown settings action");
  }
}

export const consoleSettings = new Hono<ConsoleEnv>()
  .get("/admin/console/settings", (c) => show(c))
  .post("/admin/console/settings", async (c) => {
    const form = await consoleForm(c);
    const [method, path, body, notice] = requestFor(form);
    const done: ApiAnswer<{ secret?: string; token?: { name: string } }> = await callApi(c, method, path, body);
    if (!done.ok) return show(c, { error: done.error }, null, done.status === 403 || done.status === 404 ? done.status : 400);
    const secret = done.body.secret && done.body.token ? { name: done.body.token.name, secret: done.body.secret } : null;
    return show(c, { notice }, secret, secret ? 201 : 200);
  });
