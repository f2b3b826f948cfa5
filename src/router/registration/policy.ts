import { storedScope } from "../../oauth/scopes";
import type { ClientMetadata } from "./metadata";
import { invalidClientMetadata } from "./errors";

/**
 * What a registrant may ask for: the grant types and scopes an operator allowed when
 * minting the initial access token (or the open-registration policy), and optionally
 * the token endpoint auth methods. A client keeps the policy it registered under, so
 * an update through /register/:id cannot step outside it either.
 */
export interface RegistrationPolicy {
  grant_types: string[];
  /** Space-separated scope tokens. */
  scope: string;
  /** null: any method this provider supports. */
  token_endpoint_auth_methods: string[] | null;
}

/**
 * REGISTRATION=open: anyone may register a sign-in client — the code flow and refresh
 * tokens with the OpenID scopes. client_credentials is left out: its scopes are API
 * permissions that an operator, not a self-registered client, should hand out.
 */
export const OPEN_POLICY: RegistrationPolicy = Object.freeze({
  grant_types: ["authorization_code", "refresh_token"],
  scope: "openid profile email offline_access",
  token_endpoint_auth_methods: null,
});

/** Throws invalid_client_metadata naming the first field of `metadata` the policy does not allow. */
export function checkPolicy(metadata: ClientMetadata, policy: RegistrationPolicy): void {
  const grant = metadata.grant_types.find((g) => !policy.grant_types.includes(g));
  if (grant !== undefined) {
    throw invalidClientMetadata("grant_types", `${grant} is not allowed for this registration (allowed: ${policy.grant_types.join(", ")})`);
  }
  const allowed = storedScope(policy.scope);
  const scope = storedScope(metadata.scope).find((s) => !allowed.includes(s));
  if (scope !== undefined) {
    throw invalidClientMetadata("scope", `${scope} is not allowed for this registration (allowed: ${allowed.join(" ")})`);
  }
  const methods = policy.token_endpoint_auth_methods;
  if (methods !== null && !methods.includes(metadata.token_endpoint_auth_method)) {
    throw invalidClientMetadata(
      "token_endpoint_auth_method",
      `${metadata.token_endpoint_auth_method} is not allowed for this registration (allowed: ${methods.join(", ")})`,
    );
  }
}
