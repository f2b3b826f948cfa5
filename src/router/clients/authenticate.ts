import type { Context } from "hono";
import type { Env } from "../../env";
import { getClient, type RegisteredClient } from "./registry";
import type { Config } from "../../config";
import { OAuthError, invalidRequest } from "../errors";
import type { Params } from "../http/params";
import { sha256, timingSafeEqualStrings } from "../../oauth/secrets";
import { limitClient } from "../rate-limit/limit";
import type { AppEnv } from "../types";
import { assertedClientId, CLIENT_ASSERTION_TYPE, verifyClientAssertion } from "./client-assertion";
import { AssertionRefused } from "./jwt-assertion";

/** What the token-type endpoints pass in: the Authorization header and the body's credentials. */
export interface ClientCredentialsInput {
  authorization: string | null;
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** RFC 7523 §2.2: client_assertion_type and client_assertion, when the client sent them. */
  assertionType?: string | undefined;
  assertion?: string | undefined;
  /** The URL the request came to (under our issuer): an acceptable audience of a client assertion. */
  endpointUrl?: string;
}

type Method = RegisteredClient["tokenEndpointAuthMethod"];

/** client_id (128) and secret (512) percent-encoded at worst (×3), in base64 (×4/3), with room to spare. */
const MAX_AUTHORIZATION_LENGTH = 4096;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// RFC 6749 §5.2: a client that tried the Authorization header gets 401 with a
// challenge for the scheme; RFC 7617 §2.1 lets us say the credentials are UTF-8.
const BASIC_CHALLENGE = { "WWW-Authenticate": 'Basic realm="authshard", charset="UTF-8"' };
const CHALLENGE = { "WWW-Authenticate": 'Basic realm="authshard"' };

/**
 * One message for every failure after the client is named, so that the answer
 * never tells whether a client id exists; `detail` (logged, never sent) says which.
 */
const FAILED = "client authentication failed (unknown client, wrong secret, or an authentication method the client is not registered for)";

function invalidClient(triedBasic: boolean, detail: string, description = FAILED): OAuthError {
  return new OAuthError("invalid_client", 401, description, { detail, headers: triedBasic ? BASIC_CHALLENGE : CHALLENGE });
}

/** RFC 6749 Appendix B: application/x-www-form-urlencoded, where `+` is a space. */
/**
 * The bytes of a binary string (atob's output). A plain loop: `Uint8Array.from` with a
 * mapping callback made this the costliest line of client authentication in the profile.
 */
function binaryBytes(binary: string): Uint8Array {
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return null;
  }
}

/**
 * The client id and secret of an `Authorization: Basic` header (RFC 7617 §2), each
 * form-urlencoded before base64 as RFC 6749 §2.3.1 requires, so that ids and
 * secrets may hold `:` and any other character. Anything malformed is an
 * authentication failure (an OAuthError: 401 with the challenge), never a crash.
 */
export function parseBasicCredentials(header: string): { clientId: string; clientSecret: string } {
  const fail = (detail: string) =>
    invalidClient(true, detail, `malformed Basic credentials: ${detail} (RFC 6749 §2.3.1: base64 of form-urlencoded client_id ":" client_secret)`);
  if (header.length > MAX_AUTHORIZATION_LENGTH) throw fail(`the Authorization header is over ${MAX_AUTHORIZATION_LENGTH} characters`);
  // The scheme name is case-insensitive (RFC 9110 §11.1).
  const [scheme = "", ...rest] = header.trim().split(/ +/);
  if (scheme.toLowerCase() !== "basic") throw fail("the Authorization scheme must be Basic");
  const encoded = rest.join(" ");
  if (!BASE64.test(encoded)) throw fail("the credentials are not base64");
  let decoded: string;
  try {
    decoded = strictUtf8.decode(binaryBytes(atob(encoded)));
  } catch {
    throw fail("the credentials are not base64 of UTF-8 text");
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) throw fail('the credentials have no ":" between client_id and client_secret');
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  if (clientId === null || clientSecret === null) throw fail("the credentials contain a malformed %-escape");
  if (clientId === "") throw fail("the client_id is empty");
  return { clientId, clientSecret };
}

/**
 * RFC 7523 §2.2: a client assertion, alone (no Basic header, no client_secret); a
 * client_id beside it must be the one it asserts (RFC 7521 §4.2).
 */
function presentedAssertion(request: ClientCredentialsInput): { method: Method; clientId: string; secret: undefined; assertion: string } {
  const { assertionType, assertion } = request;
  if (assertionType === undefined || assertion === undefined) throw invalidRequest("client_assertion and client_assertion_type go together (RFC 7521 §4.2)");
  if (assertionType !== CLIENT_ASSERTION_TYPE) {
    throw invalidClient(false, "unsupported assertion type", `client_assertion_type must be ${CLIENT_ASSERTION_TYPE} (RFC 7523 §2.2)`);
  }
  if ((request.authorization !== null && request.authorization !== "") || request.clientSecret !== undefined) {
    throw invalidRequest("use one client authentication method: a client_assertion came with other credentials (RFC 6749 §2.3)");
  }
  const asserted = assertedClientId(assertion);
  if (asserted === null) throw invalidClient(false, "malformed assertion", "client_assertion must be a JWT whose iss and sub are both the client_id (RFC 7523 §3)");
  if (request.clientId !== undefined && request.clientId !== asserted) throw invalidRequest("client_id differs from the client the client_assertion names (RFC 7521 §4.2)");
  // Which of the two assertion methods it is follows from the client's registration (its keys or its secret).
  return { method: "private_key_jwt", clientId: asserted, secret: undefined, assertion };
}

/** Which method the request used, and the credentials it carried (RFC 6749 §2.3). */
function presented(request: ClientCredentialsInput): { method: Method; clientId: string; secret: string | undefined; assertion?: string } {
  const { authorization, clientId, clientSecret } = request;
  if (request.assertionType !== undefined || request.assertion !== undefined) return presentedAssertion(request);
  if (authorization !== null && authorization !== "") {
    if (clientSecret !== undefined) {
      throw invalidRequest(
        "use one client authentication method: credentials came both in the Authorization header and as client_secret in the body (RFC 6749 §2.3)",
      );
    }
    const basic = parseBasicCredentials(authorization);
    if (clientId !== undefined && clientId !== basic.clientId) {
      throw invalidRequest("client_id in the body differs from the one in the Authorization header");
    }
    return { method: "client_secret_basic", clientId: basic.clientId, secret: basic.clientSecret };
  }
  if (clientId === undefined || clientId === "") {
    throw invalidClient(false, "no credentials", "client authentication is required: HTTP Basic, or client_id (and client_secret) in the body");
  }
  return { method: clientSecret === undefined ? "none" : "client_secret_post", clientId, secret: clientSecret };
}

/**
 * Whether a client registered for `registered` may authenticate with `used`. The two
 * ways of sending a secret are one credential in two envelopes (RFC 6749 §2.3.1), so a
 * secret client may use either — clients such as openid-client v6 pick post or basic
 * by themselves; the registered method is still the one discovery and registration
 * report. A secret never stands in for a key, nor a key for a secret.
 */
function methodAccepted(registered: Method, used: Method): boolean {
  if (registered === used) return true;
  if (used === "private_key_jwt" && registered === "client_secret_jwt") return true;
  const secretMethods: readonly Method[] = ["client_secret_basic", "client_secret_post"];
  return secretMethods.includes(registered) && secretMethods.includes(used);
}

/**
 * Authenticates the client of a token-type request (/token, /revoke, /introspect)
 * the way it is registered: client_secret_basic or client_secret_post (either, for a
 * secret client), private_key_jwt or client_secret_jwt (RFC 7523 §2.2), or none for
 * public clients (which prove themselves with PKCE later, and must not send a
 * secret). Throws OAuthError invalid_request (400) for a request that mixes
 * methods, invalid_client (401) for everything that fails to authenticate.
 */
export async function authenticateClient(env: Env, config: Config, request: ClientCredentialsInput): Promise<RegisteredClient> {
  const { method, clientId, secret, assertion } = presented(request);
  const triedBasic = method === "client_secret_basic";
  const client = await getClient(env, config, clientId);
  if (!client) {
    // Spend what a real comparison costs, so timing does not tell unknown ids apart either.
    if (secret !== undefined) await timingSafeEqualStrings(await sha256(secret), FAILED);
    throw invalidClient(triedBasic, `unknown client ${JSON.stringify(clientId.slice(0, 128))}`);
  }
  if (!methodAccepted(client.tokenEndpointAuthMethod, method)) {
    throw invalidClient(triedBasic, `client ${clientId} is registered for ${client.tokenEndpointAuthMethod}, not ${method}`);
  }
  if (method === "none") return client;
  if (assertion !== undefined) {
    try {
      await verifyClientAssertion(env, config, client, assertion, request.endpointUrl ?? `${config.issuer}/token`);
    } catch (error) {
      if (!(error instanceof AssertionRefused)) throw error;
      throw invalidClient(false, `client ${clientId}: ${error.message}`, error.keyProblem ? FAILED : error.message);
    }
    return client;
  }
  if (secret === undefined || client.secretHash === null) throw invalidClient(triedBasic, `client ${clientId} has no secret`);
  if (!(await timingSafeEqualStrings(await sha256(secret), client.secretHash))) {
    throw invalidClient(triedBasic, `wrong secret for client ${clientId}`);
  }
  return client;
}

/**
 * The client of a /token, /revoke or /introspect request (RFC 6749 §2.3, RFC 7009
 * §2.1, RFC 7662 §2.1): the Authorization header and the body's credentials; public
 * clients name themselves with client_id. Then the client's own rate limit counts
 * the request: only once it authenticated, so nobody else can spend its budget.
 */
export async function authenticateCaller(c: Context<AppEnv>, params: Params): Promise<RegisteredClient> {
  const client = await authenticateClient(c.env, c.var.config, {
    authorization: c.req.header("Authorization") ?? null,
    clientId: params.get("client_id"),
    clientSecret: params.get("client_secret"),
    assertionType: params.get("client_assertion_type"),
    assertion: params.get("client_assertion"),
    // From the issuer, never the Host header: the audience we accept is our own URL.
    endpointUrl: `${c.var.config.issuer}${new URL(c.req.url).pathname}`,
  });
  await limitClient(c, client.clientId);
  return client;
}
