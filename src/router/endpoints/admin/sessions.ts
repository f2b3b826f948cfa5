import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { invalidRequest } from "../../errors";
import type { AppEnv } from "../../types";
import { endAllUserSessions, endUserSession, listUserSessions } from "../../users/sessions";

/**
 * `?include_offline=true` also ends the offline families of clients whose offline
 * access normally survives logout. Anything but true/false is a 400, so a typo
 * never silently keeps access alive.
 */
function includeOffline(c: Context): boolean {
  const raw = c.req.queries("include_offline");
  if (!raw) return false;
  if (raw.length !== 1 || (raw[0] !== "true" && raw[0] !== "false")) throw invalidRequest("include_offline must be true or false");
  return raw[0] === "true";
}

/** Operator API for a user's sessions, mounted under /admin/users. */
export const adminSessions = new Hono<AppEnv>()
  .get("/:id/sessions", async (c) => {
    const userId = c.req.param("id");
    return c.json({ user_id: userId, sessions: await listUserSessions(c.env, c.var.config, userId) });
  })
  .delete("/:id/sessions/:sid", async (c) => {
    const userId = c.req.param("id");
    const sid = c.req.param("sid");
    const ended = await endUserSession(c.env, c.var.config, userId, sid, includeOffline(c));
    return c.json({ user_id: userId, sid, ended });
  })
  .delete("/:id/sessions", async (c) => {
    const userId = c.req.param("id");
    const ended = await endAllUserSessions(c.env, c.var.config, userId, includeOffline(c));
    return c.json({ user_id: userId, ended });
  });
