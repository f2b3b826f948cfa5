import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { ConsentView, DirectoryLinkView, SessionView, UserView } from "../../actors/user-shard/api";
import type { AuditRecord } from "../../audit/message";
import { OAuthError } from "../errors";
import type { Params } from "../http/params";
import { callApi, mustGet, type ApiAnswer } from "./api";
import type { ConsoleEnv } from "./guard";
import { consoleForm, frameOf } from "./page";
import type { LinkedIdentityView } from "../../actors/user-shard/api";
import { UserPage, UserSearchPage, type PasskeyRow, type UserDetail } from "./views/users";

/**
 * Users: find by email, view (sessions, consents, passkeys, roles and groups, directory
 * link, linked upstream identities, audit trail), disable and enable, end sessions, withdraw consent, remove a passkey.
 */

async function detailOf(c: Context<ConsoleEnv>, id: string): Promise<UserDetail> {
  const path = `/users/${encodeURIComponent(id)}`;
  const { user } = await mustGet<{ user: UserView & { shard: string } }>(c, path);
  const [sessions, consents, audit, operators, passkeys, access, ldap, identities] = await Promise.all([
    mustGet<{ sessions: SessionView[] }>(c, `${path}/sessions`),
    mustGet<{ consents: ConsentView[] }>(c, `${path}/consents`),
    mustGet<{ events: AuditRecord[] }>(c, `/audit?user=${encodeURIComponent(user.id)}&limit=50`),
    mustGet<{ operators: { user_id: string; role: string }[] }>(c, "/operators"),
    mustGet<{ passkeys: PasskeyRow[] }>(c, `${path}/passkeys`),
    mustGet<UserDetail["access"]>(c, `${path}/access`),
    // 404 here means "not a directory user": the page shows no link.
    callApi<{ ldap: DirectoryLinkView }>(c, "GET", `${path}/ldap`),
    mustGet<{ identities: LinkedIdentityView[] }>(c, `${path}/identities`),
  ]);
  const role = operators.operators.find((o) => o.user_id === user.id)?.role ?? null;
  return {
    user, sessions: sessions.sessions, consents: consents.consents, audit: [...audit.events].reverse(), role,
    passkeys: passkeys.passkeys, access: { roles: access.roles, groups: access.groups, attributes: access.attributes }, ldap: ldap.ok ? ldap.body.ldap : null,
    identities: identities.identities,
  };
}

async function show(c: Context<ConsoleEnv>, id: string, extra: { notice?: string; error?: string } = {}, status: 200 | 400 | 403 | 404 | 409 = 200) {
  return c.html(<UserPage frame={await frameOf(c, extra)} detail={await detailOf(c, id)} />, status);
}

/** The API call a user form stands for; each is exactly one operator API request. */
function requestFor(id: string, form: Params): [method: "POST" | "PUT" | "DELETE", path: string, notice: string, body?: unknown] {
  const path = `/users/${encodeURIComponent(id)}`;
  switch (form.get("action")) {
    case "disable":
      return ["POST", `${path}/disable`, "User disabled: sign-in, refresh and the user's tokens are refused from now on."];
    case "enable":
      return ["POST", `${path}/enable`, "User enabled: the user can sign in again (the sessions that ended stay ended)."];
    case "remove_passkey":
      return ["DELETE", `${path}/passkeys/${encodeURIComponent(form.get("credential_id") ?? "")}`, "Passkey removed: it no longer signs in."];
    case "set_password":
      return ["PUT", `${path}/password`, "New password set: every session and refresh token of the user has ended.", { password: form.get("password") ?? "" }];
    case "end_sessions":
      return ["DELETE", `${path}/sessions?include_offline=true`, "Every session and refresh token of the user has ended."];
    case "end_session":
      return ["DELETE", `${path}/sessions/${encodeURIComponent(form.get("sid") ?? "")}`, "Session ended."];
    case "withdraw_consent":
      return ["DELETE", `${path}/consents/${encodeURIComponent(form.get("client_id") ?? "")}`, "Consent withdrawn."];
    default:
      throw new OAuthError("invalid_request", 400, "unknown user action");
  }
}

export const consoleUsers = new Hono<ConsoleEnv>()
  .get("/admin/console/users", async (c) => {
    const email = (c.req.query("email") ?? "").trim();
    if (email === "") return c.html(<UserSearchPage frame={await frameOf(c)} email="" />);
    const found = await callApi<{ user: UserView }>(c, "GET", `/users?email=${encodeURIComponent(email)}`);
    if (found.ok) return c.redirect(`/admin/console/users/${found.body.user.id}`, 303);
    return c.html(<UserSearchPage frame={await frameOf(c, { error: found.error })} email={email} />, found.status === 404 ? 404 : 400);
  })
  .get("/admin/console/users/:id", async (c) => show(c, c.req.param("id")))
  .post("/admin/console/users/:id", async (c) => {
    const form = await consoleForm(c);
    const id = c.req.param("id");
    const [method, path, notice, body] = requestFor(id, form);
    const done: ApiAnswer<unknown> = await callApi(c, method, path, body);
    if (!done.ok) return show(c, id, { error: done.error }, done.status === 403 || done.status === 404 || done.status === 409 ? done.status : 400);
    return show(c, id, { notice });
  });
