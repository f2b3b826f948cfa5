import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { overview } from "../account/page";
import { continueAuthorization } from "../authorize/flow";
import { readSessionCookie } from "../authorize/session-cookie";
import { pending, type Pending } from "../email/sign-in";
import { formParams } from "../http/params";
import type { PagesEnv } from "../pages/env";
import { checkFormCsrf, formCsrfValue, securedPage } from "../pages/form-csrf";
import { PasskeyOfferPage } from "../views/passkeys";
import { addFromForm } from "./account";

/**
 * Right after sign-up (src/router/email/sign-up.tsx), a browser that can make passkeys is
 * offered one before it goes on to the application: "Add a passkey" registers it for the
 * new session's user (the account page's ceremony), "Continue" resumes the authorization
 * with the new session (one shard call, as /authorize with a live session).
 */
async function offer(c: Context<PagesEnv>, p: Pending, notice: string | null = null, error: string | null = null, status: 200 | 400 = 200): Promise<Response> {
  const security = await securedPage(c);
  const csrf = await formCsrfValue(c, c.var.config);
  return c.html(<PasskeyOfferPage security={security} csrf={csrf} interaction={p.interaction} clientName={p.client.clientName} notice={notice} error={error} />, status);
}

/** The sign-up's last step shows this instead of going straight on. */
export function offerPasskey(c: Context<PagesEnv>, p: Pending): Promise<Response> {
  return offer(c, p);
}

/** POST /signup-passkey: the new passkey (the account page's answer form), then the offer page again. */
async function addAfterSignUp(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const form = await formParams(c);
  await checkFormCsrf(c, config, form, "continue from the application");
  const p = await pending(c, form.get("interaction"));
  const session = await readSessionCookie(c, config);
  const account = await overview(c, session);
  if (!account || !session) return continueAuthorization(c, c.env, config, p.client, p.req);
  const error = await addFromForm(c, form, session, account);
  return error ? offer(c, p, null, error, 400) : offer(c, p, "Passkey added. Next time, sign in with it.");
}

/** POST /signup-continue: the authorization goes on with the new session. */
async function continueAfterSignUp(c: Context<PagesEnv>): Promise<Response> {
  const p = await pending(c, (await formParams(c)).get("interaction"));
  return continueAuthorization(c, c.env, c.var.config, p.client, p.req);
}

export const passkeyAfterSignUp = new Hono<PagesEnv>().post("/signup-passkey", addAfterSignUp).post("/signup-continue", continueAfterSignUp);
