import type { Context } from "hono";
import { requestObjectParams } from "../authorize/request-object";
import type { RegisteredClient } from "../clients/registry";
import { proofRefused, readProof } from "../dpop/proof";
import { spendProofOnce } from "../dpop/replay";
import { OAuthError, invalidRequest } from "../errors";
import type { Params } from "../http/params";
import type { AppEnv } from "../types";

/**
 * The authorization request a client pushed to /par (RFC 9126 §3): with a `request`
 * object (JAR, RFC 9101), its verified claims are the parameters and the form's others
 * are not used; without one, the form's. A client registered with
 * require_signed_request_object must push a request object (RFC 9101 §10.5).
 */
export async function pushedParameters(c: Context<AppEnv>, client: RegisteredClient, form: Params): Promise<Params> {
  const jwt = form.get("request");
  if (jwt === undefined) {
    if (client.requireSignedRequestObject) throw invalidRequest("this client must push a signed request object (RFC 9101 §10.5)");
    return form;
  }
  try {
    return await requestObjectParams(c.env, c.var.config, client, jwt);
  } catch (error) {
    // At /par every error is the JSON answer to the push (RFC 9126 §2.3), never a redirect.
    if (error instanceof OAuthError) throw new OAuthError(error.code, 400, error.description);
    throw error;
  }
}

/**
 * RFC 9449 §10.1: a DPoP proof sent with the push binds the code to its key, as
 * `dpop_jkt` would; when both come, they must name the same key.
 */
export async function pushedDpopJkt(c: Context<AppEnv>, params: Map<string, string>): Promise<void> {
  const proof = await readProof(c, "token", "/par");
  if (proof === null) return;
  const named = params.get("dpop_jkt");
  if (named !== undefined && named !== proof.jkt) throw proofRefused("token", "invalid_dpop_proof", "dpop_jkt does not match the key of the DPoP proof (RFC 9449 §10.1)");
  await spendProofOnce(c, "token", proof);
  params.set("dpop_jkt", proof.jkt);
}
