import { Hono } from "hono/tiny";
import * as z from "zod/mini";
import { MAX_PASSWORD_LENGTH } from "../../../oauth/password";
import { shardOf } from "../../../shard/map";
import { invalidRequest } from "../../errors";
import { currentMap } from "../../shards/map-cache";
import type { AppEnv } from "../../types";
import { MAX_EMAIL_LENGTH, normalizeEmail } from "../../users/email";
import { checkPassword, createUser, disableUser, enableUser, findUserByEmail, getUser, requireEmail, setUserPassword } from "../../users/service";
import { readJson } from "./body";
import type { Context } from "hono";
import type { UserView } from "../../../actors/user-shard/api";

const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const createBody = z.strictObject({
  email: z.string().check(z.maxLength(MAX_EMAIL_LENGTH)),
  password: z.string().check(z.minLength(8, "must be at least 8 characters"), z.maxLength(MAX_PASSWORD_LENGTH)),
  name: z.optional(name),
  given_name: z.optional(name),
  family_name: z.optional(name),
  email_verified: z.optional(z.boolean()),
});
const newPasswordBody = z.strictObject({
  password: z.string().check(z.minLength(8, "must be at least 8 characters"), z.maxLength(MAX_PASSWORD_LENGTH)),
});
const passwordCheckBody = z.strictObject({
  email: z.string().check(z.maxLength(MAX_EMAIL_LENGTH)),
  password: z.string().check(z.maxLength(MAX_PASSWORD_LENGTH)),
});

/** The user as the operator API shows it, with the shard that holds it. */
async function present(c: Context<AppEnv>, user: UserView) {
  const map = await currentMap(c.env, c.var.config);
  return { ...user, shard: shardOf(map, user.bucket) };
}

/** Operator API for users: create, read, find by email, check a password, disable, enable again. */
export const adminUsers = new Hono<AppEnv>()
  .post("/", async (c) => {
    const body = await readJson(c, createBody);
    const email = requireEmail(body.email, normalizeEmail);
    const user = await createUser(c.env, c.var.config, body, email);
    return c.json({ user: await present(c, user) }, 201);
  })
  .get("/", async (c) => {
    const raw = c.req.queries("email");
    if (!raw || raw.length !== 1) throw invalidRequest("exactly one email query parameter is required");
    const user = await findUserByEmail(c.env, c.var.config, requireEmail(raw[0]!, normalizeEmail));
    return c.json({ user: await present(c, user) });
  })
  .post("/password-check", async (c) => {
    const body = await readJson(c, passwordCheckBody);
    const email = normalizeEmail(body.email);
    const user = email ? await checkPassword(c.env, c.var.config, email, body.password) : null;
    return c.json(user ? { valid: true, user_id: user.id } : { valid: false });
  })
  .get("/:id", async (c) => {
    const user = await getUser(c.env, c.var.config, c.req.param("id"));
    return c.json({ user: await present(c, user) });
  })
  .post("/:id/disable", async (c) => {
    const user = await disableUser(c.env, c.var.config, c.req.param("id"));
    return c.json({ user: await present(c, user) });
  })
  .post("/:id/enable", async (c) => {
    const user = await enableUser(c.env, c.var.config, c.req.param("id"));
    return c.json({ user: await present(c, user) });
  })
  // Reset credentials: a new password; every session ends (a directory user's password is the directory's: 409).
  .put("/:id/password", async (c) => {
    const body = await readJson(c, newPasswordBody);
    const set = await setUserPassword(c.env, c.var.config, c.req.param("id"), body.password);
    return c.json({ user: await present(c, set.user), sessions_ended: set.sessionsEnded });
  });
