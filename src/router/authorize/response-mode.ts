import { isHybrid, type ResponseType } from "../../oauth/response-types";
import type { SigningAlg } from "../../oauth/signing-alg";
import type { RegisteredClient } from "../clients/registry";
import { OAuthError } from "../errors";

/**
 * How an authorization response travels: in the query (RFC 6749 §4.1.2), in the
 * fragment (OAuth 2.0 Multiple Response Type Encoding Practices §2.1), by
 * auto-submitted form (OAuth 2.0 Form Post Response Mode §2), or any of them as one
 * signed JWT `response` parameter (JARM §2.3).
 */
export const RESPONSE_MODES = ["query", "fragment", "form_post", "query.jwt", "fragment.jwt", "form_post.jwt"] as const;
export type ResponseMode = (typeof RESPONSE_MODES)[number];

/** Who a JWT-secured response (JARM) is for and how it is signed. */
export interface JarmSigning {
  clientId: string;
  alg: SigningAlg;
}

/** Multiple Response Type Encoding Practices §5: a response carrying tokens defaults to the fragment. */
export function defaultResponseMode(type: ResponseType): "query" | "fragment" {
  return isHybrid(type) ? "fragment" : "query";
}

const refused = (description: string) => new OAuthError("invalid_request", 400, description, { redirectable: true });

/** The response_mode parameter for `type`; `jwt` is JARM §2.3.4's default for the type. */
export function responseModeOf(raw: string | undefined, type: ResponseType): ResponseMode {
  if (raw === undefined) return defaultResponseMode(type);
  const mode = raw === "jwt" ? `${defaultResponseMode(type)}.jwt` : raw;
  if (!(RESPONSE_MODES as readonly string[]).includes(mode)) throw refused(`response_mode must be one of ${RESPONSE_MODES.join(", ")} or jwt`);
  // Tokens in a query string end up in logs and Referer headers (Multiple Response Type Encoding Practices §5; JARM §2.3.1).
  if (isHybrid(type) && mode.startsWith("query")) throw refused(`response_mode ${mode} cannot carry tokens: use fragment, form_post or their .jwt forms for response_type ${type}`);
  return mode as ResponseMode;
}

/** The client's JARM signing when the mode is a .jwt one, else null. */
export function jarmOf(mode: ResponseMode, client: RegisteredClient): JarmSigning | null {
  return mode.endsWith(".jwt") ? { clientId: client.clientId, alg: client.authorizationSignedResponseAlg } : null;
}
