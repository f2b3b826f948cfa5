import type { Context } from "hono";
import type { SessionRef } from "../authorize/session-cookie";
import type { Params } from "../http/params";
import type { PagesEnv } from "../pages/env";
import { passwordSignIn } from "../users/page-sign-in";

export type DeviceSignIn = { session: SessionRef } | { error: string; status: 401 | 429 } | { secondFactor: { userId: string; bucket: number } };

/**
 * The device (and CIBA) approval page's sign-in: the password step of the stand-alone
 * pages; the approval that follows is the page's own.
 */
export async function signInForDevice(c: Context<PagesEnv>, form: Params, clientId: string): Promise<DeviceSignIn> {
  const step = await passwordSignIn(c, form, clientId);
  // Two-factor sign-in: no session yet; the page asks for the code next (mfa/page-step.tsx).
  return step;
}
