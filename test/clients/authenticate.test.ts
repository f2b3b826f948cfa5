import { beforeAll, describe, expect, it } from "vitest";
import { parseBasicCredentials } from "../../src/router/clients/authenticate";
import { authError, authenticate, basic, putClient } from "./helpers";

/**
 * authenticateClient, called directly as the token-type endpoints call it.
 * RFC 6749 §2.3.1 (client_secret_basic / client_secret_post), §2.3 (one method per
 * request), §5.2 (invalid_client → 401 with WWW-Authenticate when the client used
 * the Authorization header).
 */

const REDIRECT = { redirect_uris: ["https://app.example/cb"] };
const BASIC_CHALLENGE = 'Basic realm="authshard", charset="UTF-8"';
// Every character class that must survive the form-urlencoding of §2.3.1.
const SPECIAL_SECRET = "p@ss:w+rd %/é&=?";
const secrets: Record<string, string> = {};

beforeAll(async () => {
  secrets.basic = (await putClient("auth-basic", { client_name: "Basic", client_type: "confidential", ...REDIRECT })).client_secret!;
  secrets.post = (
    await putClient("auth-post", { client_name: "Post", client_type: "confidential", token_endpoint_auth_method: "client_secret_post", ...REDIRECT })
  ).client_secret!;
  await putClient("auth.special~id", { client_name: "Special", client_type: "confidential", client_secret: SPECIAL_SECRET, ...REDIRECT });
  await putClient("auth-public", { client_name: "Public", client_type: "public", ...REDIRECT });
});

async function expectInvalidClient(credentials: Parameters<typeof authError>[0], challenge: string | null = BASIC_CHALLENGE) {
  const error = await authError(credentials);
  expect(error.code).toBe("invalid_client");
  expect(error.status).toBe(401);
  if (challenge !== null) expect(error.headers["WWW-Authenticate"]).toBe(challenge);
  return error;
}

describe("successful authentication (RFC 6749 §2.3.1)", () => {
  it("client_secret_basic", async () => {
    const client = await authenticate({ authorization: basic("auth-basic", secrets.basic!) });
    expect(client).toMatchObject({ clientId: "auth-basic", tokenEndpointAuthMethod: "client_secret_basic" });
  });

  it("client_secret_basic with the same client_id repeated in the body", async () => {
    await expect(authenticate({ authorization: basic("auth-basic", secrets.basic!), clientId: "auth-basic" })).resolves.toBeTruthy();
  });

  it("client_secret_basic: the scheme name is case-insensitive", async () => {
    const authorization = basic("auth-basic", secrets.basic!).replace("Basic", "bAsIc");
    await expect(authenticate({ authorization })).resolves.toBeTruthy();
  });

  it("client_secret_post", async () => {
    const client = await authenticate({ clientId: "auth-post", clientSecret: secrets.post! });
    expect(client.clientId).toBe("auth-post");
  });

  it("none, for a public client (it proves itself with PKCE later)", async () => {
    await expect(authenticate({ clientId: "auth-public" })).resolves.toMatchObject({ clientType: "public", tokenEndpointAuthMethod: "none" });
  });

  it("Basic credentials are form-urlencoded before base64: +, %XX, : and UTF-8 decode (§2.3.1, Appendix B)", async () => {
    const authorization = basic("auth.special~id", SPECIAL_SECRET);
    expect(atob(authorization.slice(6))).toContain("%3A"); // the secret's colon is encoded, not a separator
    await expect(authenticate({ authorization })).resolves.toMatchObject({ clientId: "auth.special~id" });
    expect(parseBasicCredentials(`Basic ${btoa("a%3Ab:c+d%2Be")}`)).toEqual({ clientId: "a:b", clientSecret: "c d+e" });
  });

  it("the secret raw (not form-encoded) in Basic fails where encoding matters", async () => {
    const raw = `Basic ${btoa(unescape(encodeURIComponent(`auth.special~id:${SPECIAL_SECRET}`)))}`;
    await expectInvalidClient({ authorization: raw });
  });
});

describe("failures → invalid_client 401, one message whether or not the client exists (§5.2)", () => {
  it("wrong secret via Basic → challenge with charset (RFC 7617 §2.1)", async () => {
    const error = await expectInvalidClient({ authorization: basic("auth-basic", "wrong-secret") });
    expect(error.detail).toMatch(/wrong secret/);
  });

  it("unknown client via Basic: same description as a wrong secret", async () => {
    const unknown = await expectInvalidClient({ authorization: basic("no-such-client", "whatever") });
    const wrong = await expectInvalidClient({ authorization: basic("auth-basic", "wrong-secret") });
    expect(unknown.description).toBe(wrong.description);
    expect(unknown.detail).toMatch(/unknown client/);
  });

  it("wrong secret via post and an unknown client via post → Basic challenge without charset", async () => {
    await expectInvalidClient({ clientId: "auth-post", clientSecret: "wrong" }, 'Basic realm="authshard"');
    await expectInvalidClient({ clientId: "no-such-client", clientSecret: "x" }, 'Basic realm="authshard"');
  });

  it("RFC 6749 §2.3.1: a secret client may send its secret either way; the registered method stays what it reports", async () => {
    const post = await authenticate({ clientId: "auth-basic", clientSecret: secrets.basic! });
    expect(post).toMatchObject({ clientId: "auth-basic", tokenEndpointAuthMethod: "client_secret_basic" });
    const viaBasic = await authenticate({ authorization: basic("auth-post", secrets.post!) });
    expect(viaBasic).toMatchObject({ clientId: "auth-post", tokenEndpointAuthMethod: "client_secret_post" });
    // The wrong secret is still wrong in the other envelope.
    const wrong = await expectInvalidClient({ clientId: "auth-basic", clientSecret: secrets.post! }, null);
    expect(wrong.detail).toMatch(/wrong secret/);
  });

  it("a confidential client sending only its client_id (method none)", async () => {
    await expectInvalidClient({ clientId: "auth-basic" }, null);
  });

  it("a public client sending a secret, in the body or via Basic", async () => {
    await expectInvalidClient({ clientId: "auth-public", clientSecret: "anything" }, null);
    await expectInvalidClient({ authorization: basic("auth-public", "anything") });
    await expectInvalidClient({ authorization: basic("auth-public", "") });
  });

  it("no credentials at all", async () => {
    await expectInvalidClient({}, 'Basic realm="authshard"');
    await expectInvalidClient({ clientId: "" }, null);
  });

  it("client ids that could never be registered are unknown, not errors", async () => {
    await expectInvalidClient({ clientId: "x".repeat(10_000), clientSecret: "s" }, null);
    await expectInvalidClient({ clientId: "bad id with spaces" }, null);
  });
});

describe("more than one method, or mismatched ids → invalid_request 400 (§2.3)", () => {
  it("Basic and client_secret in the body", async () => {
    const error = await authError({ authorization: basic("auth-basic", secrets.basic!), clientId: "auth-basic", clientSecret: secrets.basic! });
    expect([error.code, error.status]).toEqual(["invalid_request", 400]);
    expect(error.description).toMatch(/one client authentication method/);
  });

  it("Basic for one client, client_id of another in the body", async () => {
    const error = await authError({ authorization: basic("auth-basic", secrets.basic!), clientId: "auth-post" });
    expect([error.code, error.status]).toEqual(["invalid_request", 400]);
    expect(error.description).toMatch(/differs/);
  });
});

describe("malformed Authorization headers → invalid_client 401 with the challenge, never a crash", () => {
  it.each([
    ["another scheme", "Bearer abc", /scheme must be Basic/],
    ["Basic without credentials", "Basic", /not base64/],
    ["not base64", "Basic !!!not-base64!!!", /not base64/],
    ["base64 with a space inside", "Basic YWJj ZGVm", /not base64/],
    ["wrong padding", "Basic YQ===", /not base64/],
    ["no colon", `Basic ${btoa("just-an-id")}`, /no ":"/],
    ["an empty client_id", `Basic ${btoa(":secret")}`, /client_id is empty/],
    ["a malformed %-escape", `Basic ${btoa("auth-basic:%zz")}`, /%-escape/],
    ["bytes that are not UTF-8", `Basic ${btoa("auth-basic:\xff\xfe")}`, /UTF-8/],
    ["an over-long header", `Basic ${"QUFB".repeat(2000)}`, /over 4096/],
  ])("%s", async (_case, authorization, message) => {
    const error = await expectInvalidClient({ authorization });
    expect(error.description).toMatch(message);
  });
});
