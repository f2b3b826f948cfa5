import type { Env } from "../../env";
import type { Config } from "../../config";
import { userIdByEmail } from "../d1/user-emails";
import { OAuthError, invalidRequest } from "../errors";
import type { Params } from "../http/params";
import { verifyJwt } from "../keys/cache";
import { normalizeEmail } from "../users/email";
import { isUserId } from "../users/service";

/** CIBA Core §13: the hint names no user this provider can identify (or could be more than one). */
export const unknownUser = (description: string, detail?: string) => new OAuthError("unknown_user_id", 400, description, detail === undefined ? {} : { detail });

/**
 * The user a CIBA request names (§7.1): exactly one of login_hint_token, id_token_hint,
 * login_hint. login_hint is the user's email (one read of the D1 email index, here and
 * never on the poll path) or their `sub`; id_token_hint is an ID token this provider
 * issued to this client, verified with our keys — expired ones too (§7.1). No
 * login_hint_token format is supported.
 */
export async function resolveHintedUser(env: Env, config: Config, clientId: string, params: Params): Promise<string> {
  const given = ["login_hint_token", "id_token_hint", "login_hint"].filter((name) => params.get(name) !== undefined);
  if (given.length !== 1) throw invalidRequest(`exactly one of login_hint, id_token_hint or login_hint_token is required (CIBA Core §7.1)${given.length ? `; got ${given.join(", ")}` : ""}`);
  const [name] = given;
  const value = params.get(name!)!;
  if (name === "login_hint_token") throw invalidRequest("login_hint_token is not supported; use login_hint (the user's email or sub) or id_token_hint");
  if (name === "id_token_hint") return userOfIdToken(env, config, clientId, value);
  return userOfLoginHint(env, value);
}

async function userOfLoginHint(env: Env, hint: string): Promise<string> {
  if (isUserId(hint)) return hint;
  const email = normalizeEmail(hint);
  if (email === null) throw unknownUser("login_hint must be the user's email address or subject identifier", `unparseable hint of ${hint.length} chars`);
  const userId = await userIdByEmail(env.DB, email);
  if (userId === null) throw unknownUser("no user is known by this login_hint");
  return userId;
}

async function userOfIdToken(env: Env, config: Config, clientId: string, raw: string): Promise<string> {
  const verified = await verifyJwt(env, config, raw, { typ: "JWT", ignoreExpiry: true });
  if (!verified.ok) throw invalidRequest("id_token_hint is not an ID token issued by this provider", { detail: verified.reason });
  const { sub, aud } = verified.payload;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(clientId)) throw invalidRequest("id_token_hint was not issued to this client");
  if (typeof sub !== "string" || !isUserId(sub)) throw unknownUser("id_token_hint names no user of this provider");
  return sub;
}
