import { CIBA } from "./grant-types";

/**
 * OpenID CIBA Core 1.0: the client settings every registration path checks the same way
 * (operator API, CLI, dynamic registration), and the limits of a request's parameters.
 */

/** §5: how the client learns the result; all three are supported. */
export const DELIVERY_MODES = ["poll", "ping", "push"] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/** §7.1 binding_message: shown on the authentication device, so short and printable. */
export const MAX_BINDING_MESSAGE = 100;
/** §7.1 client_notification_token: "a bearer token"; bounded like any header value we send. */
export const MAX_NOTIFICATION_TOKEN = 1024;
/** §7.1 user_code: a short secret the user chose; bounded. */
export const MAX_USER_CODE = 64;

/** §10.3.1: the ID token claim that names the request the pushed tokens answer. */
export const AUTH_REQ_ID_CLAIM = "urn:openid:params:jwt:claim:auth_req_id";

export interface CibaSettings {
  grantTypes: readonly string[];
  confidential: boolean;
  mode: string | null;
  notificationEndpoint: string | null;
  userCodeParameter: boolean;
}

/**
 * What is inconsistent about a client's CIBA settings, as [field, problem], or null.
 * §4: the grant needs a mode; ping and push need a notification endpoint; a mode
 * without the grant would be a setting nothing reads. §7: CIBA clients authenticate,
 * so a public client cannot use it.
 */
export function cibaSettingsProblem(s: CibaSettings): [string, string] | null {
  // §7.1 user_code would need a secret each user sets for it; none exists here, so discovery says false.
  if (s.userCodeParameter) return ["backchannel_user_code_parameter", "user codes are not supported (backchannel_user_code_parameter_supported is false)"];
  const wantsGrant = s.grantTypes.includes(CIBA);
  if (!wantsGrant) {
    if (s.mode !== null) return ["backchannel_token_delivery_mode", `is set but grant_types lacks ${CIBA}`];
    if (s.notificationEndpoint !== null) return ["backchannel_client_notification_endpoint", `is set but grant_types lacks ${CIBA}`];
    return null;
  }
  if (!s.confidential) return ["grant_types", `${CIBA} needs a confidential client (CIBA Core §7.1: the request is authenticated)`];
  if (s.mode === null) return ["backchannel_token_delivery_mode", `is required with ${CIBA}: one of ${DELIVERY_MODES.join(", ")} (CIBA Core §4)`];
  if (!(DELIVERY_MODES as readonly string[]).includes(s.mode)) return ["backchannel_token_delivery_mode", `must be one of ${DELIVERY_MODES.join(", ")}`];
  if (s.mode !== "poll" && s.notificationEndpoint === null) return ["backchannel_client_notification_endpoint", `is required for ${s.mode} mode (CIBA Core §4)`];
  if (s.mode === "poll" && s.notificationEndpoint !== null) return ["backchannel_client_notification_endpoint", "is used only in ping and push mode"];
  return null;
}
