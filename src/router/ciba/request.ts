import type { CibaConfig } from "../../config";
import { MAX_BINDING_MESSAGE, MAX_NOTIFICATION_TOKEN } from "../../oauth/ciba";
import { parseScope, SCOPES_SUPPORTED } from "../../oauth/scopes";
import type { RegisteredClient } from "../clients/registry";
import { OAuthError, invalidRequest } from "../errors";
import type { Params } from "../http/params";

/**
 * The parameters of a CIBA authentication request (CIBA Core §7.1), each checked by a
 * small named function; every refusal is the §13 error code with a clear description.
 */

const SUPPORTED = new Set(SCOPES_SUPPORTED);

/** §7.1 scope: REQUIRED, with openid. */
export function cibaScope(client: RegisteredClient, raw: string | undefined): string {
  if (raw === undefined) throw invalidRequest("scope is required and must include openid (CIBA Core §7.1)");
  const scopes = parseScope(raw);
  if (!scopes || scopes.length === 0) throw new OAuthError("invalid_scope", 400, "scope must be space-separated scope tokens (RFC 6749 §3.3)");
  if (!scopes.includes("openid")) throw invalidRequest("scope must include openid (CIBA Core §7.1)");
  const unknown = scopes.filter((s) => !SUPPORTED.has(s));
  if (unknown.length) throw new OAuthError("invalid_scope", 400, `unsupported scope: ${unknown.join(" ").slice(0, 200)}`);
  const notAllowed = scopes.filter((s) => !client.scopes.has(s));
  if (notAllowed.length) throw new OAuthError("invalid_scope", 400, `scope not allowed for this client: ${notAllowed.join(" ").slice(0, 200)}`);
  return scopes.join(" ");
}

/**
 * §7.1 binding_message: shown on the authentication device and by the client, so the user
 * can match the two. Bounded and printable; otherwise §13 invalid_binding_message.
 */
export function bindingMessage(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const text = raw.normalize("NFC");
  if (text.trim() === "" || [...text].length > MAX_BINDING_MESSAGE || /[\p{Cc}\p{Cf}]/u.test(text)) {
    throw new OAuthError("invalid_binding_message", 400, `binding_message must be 1-${MAX_BINDING_MESSAGE} printable characters, without control characters`);
  }
  return text;
}

/** §7.1 client_notification_token: REQUIRED for ping and push, a bearer token (RFC 6750 §2.1 token68 characters). */
export function notificationToken(client: RegisteredClient, raw: string | undefined): string | null {
  if (client.backchannelTokenDeliveryMode === "poll") return null;
  if (raw === undefined) throw invalidRequest(`client_notification_token is required in ${client.backchannelTokenDeliveryMode} mode (CIBA Core §7.1)`);
  if (raw.length > MAX_NOTIFICATION_TOKEN || !/^[A-Za-z0-9\-._~+/]+=*$/.test(raw)) {
    throw invalidRequest(`client_notification_token must be 1-${MAX_NOTIFICATION_TOKEN} characters of a bearer token (RFC 6750 §2.1)`);
  }
  return raw;
}

/** §7.1 requested_expiry: a positive integer of seconds, at most CIBA_MAX_TTL_S; absent: CIBA_TTL_S. */
export function requestLifetime(config: CibaConfig, raw: string | undefined): number {
  if (raw === undefined) return config.defaultTtlS;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1) throw invalidRequest("requested_expiry must be a positive integer of seconds");
  const seconds = Number(raw);
  if (seconds > config.maxTtlS) throw invalidRequest(`requested_expiry must be at most ${config.maxTtlS} seconds`);
  return seconds;
}

/** §7.1.1: signed authentication requests are not supported (discovery lists no signing algorithms for them). */
export function refuseSignedRequest(params: Params): void {
  if (params.get("request") !== undefined) throw invalidRequest("signed authentication requests (request) are not supported; send the parameters as form fields");
}
