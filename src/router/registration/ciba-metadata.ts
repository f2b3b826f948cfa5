import { cibaSettingsProblem, DELIVERY_MODES, type DeliveryMode } from "../../oauth/ciba";
import { logoutUriProblem, MAX_URI_LENGTH } from "../clients/uri-rules";
import type { AuthMethod } from "../clients/auth-methods";
import { invalidClientMetadata } from "./errors";
import { checkedUri, optionalBoolean, optionalChoice, optionalString, type Input } from "./fields";

/** CIBA Core §4 client metadata, as registered. */
export interface CibaMetadata {
  backchannel_token_delivery_mode: DeliveryMode | null;
  backchannel_client_notification_endpoint: string | null;
  backchannel_user_code_parameter: boolean;
}

/**
 * The CIBA members of a registration request (CIBA Core §4), checked as the operator API
 * checks them. Signed authentication requests are not supported, so a
 * `backchannel_authentication_request_signing_alg` is refused rather than ignored: a
 * client that registers one would send requests this provider cannot verify.
 */
export function cibaMetadata(input: Input, grants: readonly string[], method: AuthMethod): CibaMetadata {
  if (input.backchannel_authentication_request_signing_alg !== undefined && input.backchannel_authentication_request_signing_alg !== null) {
    throw invalidClientMetadata("backchannel_authentication_request_signing_alg", "signed authentication requests are not supported; register without it");
  }
  const mode = optionalChoice(input, "backchannel_token_delivery_mode", DELIVERY_MODES, {}) ?? null;
  const endpoint = optionalString(input, "backchannel_client_notification_endpoint", MAX_URI_LENGTH) ?? null;
  if (endpoint !== null) checkedUri("backchannel_client_notification_endpoint", endpoint, logoutUriProblem);
  const userCode = optionalBoolean(input, "backchannel_user_code_parameter") ?? false;
  const problem = cibaSettingsProblem({ grantTypes: grants, confidential: method !== "none", mode, notificationEndpoint: endpoint, userCodeParameter: userCode });
  if (problem) throw invalidClientMetadata(problem[0], problem[1]);
  return { backchannel_token_delivery_mode: mode, backchannel_client_notification_endpoint: endpoint, backchannel_user_code_parameter: userCode };
}
