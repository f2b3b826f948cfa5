import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { KeyInfo } from "../../actors/key-manager/api";
import type { StatusResponse } from "../endpoints/admin/shard-responses";
import { OAuthError } from "../errors";
import { noStore } from "../no-store";
import { limitByAddress } from "../rate-limit/middleware";
import { PAGES_IP } from "../rate-limit/rules";
import type { AppEnv } from "../types";
import { mustGet } from "./api";
import { CONSOLE_CLIENT_ID } from "./client";
import { requireOperator, type ConsoleEnv } from "./guard";
import { consoleAudit } from "./audit";
import { consoleClients } from "./clients";
import { consoleKeys } from "./keys";
import { consoleForm, consoleOnError, frameOf } from "./page";
import { endSession, finishSignIn } from "./session";
import { consoleSettings } from "./settings";
import { consoleShards } from "./shards";
import { consoleUsers } from "./users";
import { DashboardPage } from "./views/dashboard";

async function dashboard(c: Context<ConsoleEnv>) {
  const [status, clients, keys] = await Promise.all([
    mustGet<StatusResponse>(c, "/shards"),
    mustGet<{ clients: unknown[] }>(c, "/clients"),
    mustGet<{ keys: KeyInfo[] }>(c, "/keys"),
  ]);
  const activeKeys = keys.keys.filter((k) => k.state === "active").map((k) => `${k.kid} (${k.alg})`);
  return c.html(<DashboardPage frame={await frameOf(c)} status={status} clients={clients.clients.length} activeKeys={activeKeys} />);
}

/** Signing out of the console ends the provider session too (RP-Initiated Logout), so the next visit signs in again. */
async function signOut(c: Context<ConsoleEnv>) {
  await consoleForm(c);
  endSession(c as unknown as Context<AppEnv>);
  const issuer = c.var.config.issuer;
  return c.redirect(`${issuer}/logout?client_id=${CONSOLE_CLIENT_ID}&post_logout_redirect_uri=${encodeURIComponent(`${issuer}/admin`)}`, 303);
}

// Per path, never "*": this app is mounted at "/", where "*" would guard every route of the provider.
const guard = requireOperator();
const pages = new Hono<ConsoleEnv>()
  .use("/admin", guard)
  .use("/admin/console/*", guard)
  .get("/admin", dashboard)
  .route("/", consoleUsers)
  .route("/", consoleClients)
  .route("/", consoleKeys)
  .route("/", consoleShards)
  .route("/", consoleAudit)
  .route("/", consoleSettings)
  .all("/admin/console/*", () => {
    throw new OAuthError("not_found", 404, "the console has no such page");
  });

/**
 * The admin console: HTML pages at GET /admin and under /admin/console/ — paths the
 * operator API (JSON, under /admin/<resource>) has no route at, so neither can shadow
 * the other. Mounted before the API. Every page is for a signed-in operator
 * (guard.ts); every change is a CSRF-checked form that makes one operator API request.
 */
export const adminConsole = new Hono<ConsoleEnv>()
  .use("/admin", noStore())
  .use("/admin/console/*", noStore())
  .use("/admin", limitByAddress(PAGES_IP))
  .use("/admin/console/*", limitByAddress(PAGES_IP))
  .get("/admin/console/callback", (c) => finishSignIn(c as unknown as Context<AppEnv>))
  .post("/admin/console/sign-out", signOut)
  .route("/", pages);

adminConsole.onError(consoleOnError);
