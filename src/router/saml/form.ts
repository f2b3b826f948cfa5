import type { Context } from "hono";
import { OAuthError } from "../errors";
import type { Params } from "../http/params";
import { decodePost, decodeRedirect, type RedirectMessage } from "../../saml/bindings";
import { SamlInputError } from "../../saml/xml";
import { MAX_RELAY_STATE } from "./pending";

/** A signed AuthnRequest or LogoutRequest is a few KiB of base64: larger than other forms allow. */
const MAX_SAML_FORM_BYTES = 128 * 1024;

/** An application/x-www-form-urlencoded SAML form (SAML Bindings §3.5.4), size-limited, no repeated fields. */
export async function samlForm(c: Context): Promise<Params> {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") throw new OAuthError("invalid_request", 400, "the body must be application/x-www-form-urlencoded");
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length > MAX_SAML_FORM_BYTES) throw new OAuthError("invalid_request", 413, "request body too large");
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(new TextDecoder().decode(bytes))) {
    if (params.has(name)) throw new OAuthError("invalid_request", 400, `parameter ${name} is repeated`);
    if (value !== "") params.set(name, value);
  }
  return params;
}

/**
 * A SAMLRequest as either binding delivers it (SAML Bindings §3.4 HTTP-Redirect, §3.5
 * HTTP-POST): the XML, the RelayState, and over Redirect what the query signature covers.
 * The same for AuthnRequests (sso.tsx) and LogoutRequests (slo.tsx).
 */
export async function readSamlRequest(c: Context, binding: "redirect" | "post"): Promise<RedirectMessage> {
  let message: RedirectMessage;
  if (binding === "redirect") message = await decodeRedirect(new URL(c.req.url).search.slice(1), "SAMLRequest");
  else {
    const form = await samlForm(c);
    message = { xml: await decodePost(form.get("SAMLRequest") ?? ""), relayState: form.get("RelayState") ?? null, signature: null };
  }
  if (message.relayState !== null && message.relayState.length > MAX_RELAY_STATE) throw new SamlInputError("RelayState is too long");
  return message;
}
