import { invalidRequest } from "../errors";
import type { Params } from "../http/params";

/**
 * A `request` object pushed to /par (RFC 9126 §3 with JAR, RFC 9101): its verified
 * claims replace the form parameters. JAR support turns a request object into
 * parameters; until it is wired in here, a pushed request object is refused.
 * (Hook: `return requestObjectParams(env, config, client, params.get("request"))`.)
 */
export async function pushedParameters(params: Params): Promise<Params> {
  if (!params.has("request")) return params;
  throw invalidRequest("request objects inside PAR are not supported yet");
}
