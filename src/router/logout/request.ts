import type { Env } from "../../env";
import { getClient, type RegisteredClient } from "../clients/registry";
import type { Config } from "../../config";
import { invalidRequest } from "../errors";
import type { Params } from "../http/params";
import { verifyJwt } from "../keys/cache";
import { isUserId } from "../users/service";
import { openUserRefClaim, USER_REF_CLAIM } from "../clients/subject";

/**
 * A logout request (OpenID Connect RP-Initiated Logout 1.0 §2) after validation.
 * logout_hint and ui_locales are accepted and ignored: the hint only helps an OP
 * with several signed-in accounts, and the pages are English only.
 */
export interface LogoutRequest {
  /** The verified id_token_hint: whom the RP believes is signed in, and in which session. */
  hint: IdTokenHint | null;
  /** The RP, from the hint's audience or client_id; null when neither names a registered client. */
  client: RegisteredClient | null;
  /** Registered for `client`, matched exactly; null = show the signed-out page instead. */
  postLogoutRedirectUri: string | null;
  state: string | null;
}

export interface IdTokenHint {
  sub: string;
  /** The session the ID token was issued in (OIDC Core §2 `sid`), if it names one. */
  sid: string | null;
  clientId: string;
}

/** What the confirmation form carries between the page and its POST: the request minus the hint. */
export interface PendingLogout {
  clientId: string | null;
  postLogoutRedirectUri: string | null;
  state: string | null;
}

const SID = /^[A-Za-z0-9_-]{22}$/;

const badHint = (detail: string) => invalidRequest("id_token_hint is not an ID token issued by this provider", { detail });

/**
 * §2 / §4: the OP MUST validate that it issued the hint, and SHOULD accept it even
 * when expired. Signature, issuer and typ (ID tokens are "JWT"; an access token or
 * a form token is refused) are checked; exp is not. A hint still verifies only
 * while its signing key is published, which bounds how old it can be.
 */
export async function verifyHint(env: Env, config: Config, raw: string): Promise<IdTokenHint> {
  if (isCompactJwe(raw)) throw encryptedHint();
  const verified = await verifyJwt(env, config, raw, { typ: "JWT", ignoreExpiry: true });
  if (!verified.ok) throw badHint(verified.reason);
  const { aud, sid } = verified.payload;
  // A pairwise client's ID token names the user by a sub that cannot be inverted; its sealed uref names the user id.
  const sealed = await openUserRefClaim(config, verified.payload[USER_REF_CLAIM]);
  const sub = sealed ?? verified.payload.sub;
  const audience = Array.isArray(aud) && aud.length === 1 ? aud[0] : aud;
  if (typeof sub !== "string" || !isUserId(sub) || typeof audience !== "string") throw badHint("sub or aud missing");
  return { sub, sid: typeof sid === "string" && SID.test(sid) ? sid : null, clientId: audience };
}

/** Five dot-separated parts: a compact JWE (RFC 7516 §7.1), not a JWS (three). */
function isCompactJwe(raw: string): boolean {
  return raw.split(".").length === 5;
}

/**
 * An ID token we encrypted to the client's key: we cannot read it. §2 asks the RP to
 * send the signed ID token from inside it instead, so say exactly that.
 */
const encryptedHint = () =>
  invalidRequest(
    "id_token_hint is encrypted (a JWE), and this provider cannot decrypt what it encrypted to the client's key: " +
      "send the signed ID token from inside it (OpenID Connect RP-Initiated Logout 1.0 §2), or client_id without a hint",
  );

/** The RP: §2 requires client_id, when sent with a hint, to be the hint's audience. */
export async function resolveLogoutClient(env: Env, config: Config, hint: IdTokenHint | null, clientId: string | null): Promise<RegisteredClient | null> {
  if (hint && clientId !== null && hint.clientId !== clientId) {
    throw invalidRequest("client_id does not match the audience of id_token_hint");
  }
  if (clientId !== null) {
    const client = await getClient(env, config, clientId);
    if (!client) throw invalidRequest("client_id is not a registered client");
    return client;
  }
  // A hint for a client deleted since is still proof of who is signed in.
  return hint ? getClient(env, config, hint.clientId) : null;
}

/**
 * §3: redirect only to a post_logout_redirect_uri registered for the RP, by exact
 * string match. Anything else is an error page: never an open redirector.
 */
export function checkPostLogoutRedirect(client: RegisteredClient | null, uri: string | null): string | null {
  if (uri === null) return null;
  if (!client) throw invalidRequest("post_logout_redirect_uri needs id_token_hint or client_id to name the application");
  if (!client.postLogoutRedirectUris.includes(uri)) throw invalidRequest("post_logout_redirect_uri is not registered for this application");
  return uri;
}

export async function validateLogoutRequest(env: Env, config: Config, params: Params): Promise<LogoutRequest> {
  const rawHint = params.get("id_token_hint");
  const hint = rawHint === undefined ? null : await verifyHint(env, config, rawHint);
  const client = await resolveLogoutClient(env, config, hint, params.get("client_id") ?? null);
  const postLogoutRedirectUri = checkPostLogoutRedirect(client, params.get("post_logout_redirect_uri") ?? null);
  return { hint, client, postLogoutRedirectUri, state: params.get("state") ?? null };
}

/** The confirmed form's request, checked again: the registration may have changed while the page was open. */
export async function revalidatePending(env: Env, config: Config, pending: PendingLogout): Promise<LogoutRequest> {
  const client = await resolveLogoutClient(env, config, null, pending.clientId);
  return { hint: null, client, postLogoutRedirectUri: checkPostLogoutRedirect(client, pending.postLogoutRedirectUri), state: pending.state };
}
