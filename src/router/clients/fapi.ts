/**
 * The FAPI 2.0 Security Profile (OpenID FAPI 2.0 Security Profile, final), switched on
 * per client with `security_profile: "fapi2"`. The profile's rules hold together, each
 * enforced where it applies:
 *
 * | rule (FAPI 2.0 SP)                                   | where                                  |
 * | ---------------------------------------------------- | -------------------------------------- |
 * | §5.3.2.2 pushed authorization requests only          | /authorize (endpoints/authorize.ts)    |
 * | §5.3.2.2 PKCE with S256                               | /par and /authorize (authorize/request) |
 * | §5.3.2.2 response_type code only (no hybrid, no implicit) | registration (fapi2Problem)        |
 * | §5.3.2.1 confidential client, private_key_jwt (mTLS is not offered) | registration (fapi2Problem) |
 * | §5.3.2.1 sender-constrained access tokens: DPoP       | /token (dpop/token.ts)                  |
 * | §5.3.2.1 authorization codes live at most 60 s        | /authorize (codeTtlFor)                 |
 * | §5.3.2.2 `iss` in authorization responses (RFC 9207)  | every client, always                   |
 */
import type { Config } from "../../config";

export const SECURITY_PROFILES = ["fapi2"] as const;
export type SecurityProfile = (typeof SECURITY_PROFILES)[number];

/** FAPI 2.0 SP §5.3.2.1: "shall issue authorization codes with a maximum lifetime of 60 seconds". */
export const FAPI2_MAX_CODE_TTL_S = 60;

/** What a FAPI 2.0 client's authorization request carries to the code it yields (through login and consent). */
export function profileLimits(client: { securityProfile: SecurityProfile | null }): { maxCodeTtlS?: number } {
  return client.securityProfile === "fapi2" ? { maxCodeTtlS: FAPI2_MAX_CODE_TTL_S } : {};
}

/** The lifetime of a code: CODE_TTL_S, capped by the request's profile (FAPI 2.0: 60 s). */
export function codeTtlFor(config: Pick<Config, "codeTtlS">, req: { maxCodeTtlS?: number }): number {
  return req.maxCodeTtlS === undefined ? config.codeTtlS : Math.min(config.codeTtlS, req.maxCodeTtlS);
}

/** What a registration under the profile gets wrong, as [field, why], or null. */
export function fapi2Problem(settings: { clientType: string; tokenEndpointAuthMethod: string; responseTypes: readonly string[] }): [string, string] | null {
  if (settings.clientType !== "confidential") return ["client_type", "FAPI 2.0 clients are confidential (FAPI 2.0 Security Profile §5.3.2.1)"];
  if (settings.tokenEndpointAuthMethod !== "private_key_jwt") {
    return ["token_endpoint_auth_method", "FAPI 2.0 clients authenticate with private_key_jwt (FAPI 2.0 Security Profile §5.3.2.1; mTLS is not offered)"];
  }
  if (settings.responseTypes.some((type) => type !== "code")) return ["response_types", 'FAPI 2.0 clients use response_type "code" only (FAPI 2.0 Security Profile §5.3.2.2)'];
  return null;
}
