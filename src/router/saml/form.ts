import type { Context } from "hono";
import { OAuthError } from "../errors";
import type { Params } from "../http/params";

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
