import { beforeAll, describe, expect, it } from "vitest";
import { bucketOf } from "../../src/shard/bucket";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { hiddenField, redirectParams, TestBrowser } from "../helpers/browser";
import { json } from "../helpers/http";
import { authorizeUrl, createUser, registerClient, REDIRECT_URI } from "../helpers/oidc";
import { directory } from "../helpers/shards";

/**
 * The browser endpoints (authorize, login, consent, logout) share one error
 * handler: until the client's redirect URI is validated an error is a page, with
 * the error's status and headers; after, it goes back to the client (RFC 6749
 * §4.1.2.1, RFC 9207). A fenced bucket (a move in progress) makes the user's
 * shard answer 503 temporarily_unavailable once the router's retry budget is spent.
 */

let clientId: string;
let auth: Record<string, string>;
const base = () => ({ client_id: clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", state: "st", nonce: "n" });

beforeAll(async () => {
  const registered = await registerClient("confidential", { post_logout_redirect_uris: ["http://localhost:3000/"] });
  clientId = registered.clientId;
  auth = basic(clientId, registered.secret!);
});

/** Runs `during` while the user's bucket is fenced, then lifts the fence. */
async function whileFenced<T>(userId: string, during: () => Promise<T>): Promise<T> {
  const bucket = bucketOf(userId);
  expect((await directory().setBucketState([bucket], "fenced")).ok).toBe(true);
  try {
    return await during();
  } finally {
    await directory().setBucketState([bucket], "active");
  }
}

function expectUnavailableAtClient(res: Response, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers.get("cache-control")).toBe("no-store");
  const params = redirectParams(res);
  const location = new URL(res.headers.get("location")!);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
  expect(params.get("error")).toBe("temporarily_unavailable");
  expect(params.get("error_description")).not.toMatch(/bucket|fenced|shard/);
  expect(params.get("state")).toBe("st");
  expect(params.get("iss")).toBe("http://127.0.0.1:8787");
}

describe("after the redirect URI is validated, errors go back to the client", () => {
  it("/authorize with a session whose shard is unavailable answers temporarily_unavailable (RFC 6749 §4.1.2.1)", async () => {
    const user = await createUser();
    const { browser } = await issueCode(clientId, { user, scope: "openid" });
    const res = await whileFenced(user.id, () => browser.get(authorizeUrl(base())));
    expectUnavailableAtClient(res, 302);
  });

  it("so does the login form: the interaction has validated the client again", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    const interaction = hiddenField(await (await browser.get(authorizeUrl(base()))).text(), "interaction");
    const res = await whileFenced(user.id, () => browser.post("/login", { interaction, email: user.email, password: user.password }));
    expectUnavailableAtClient(res, 303);
  });
});

describe("before it, or on a sign-out page, errors are pages", () => {
  it("a logout whose shard is unavailable is a 503 page with Retry-After, never a redirect", async () => {
    const user = await createUser();
    const issued = await issueCode(clientId, { user, scope: "openid" });
    const tokens = await json<{ id_token: string }>(await tokenRequest(redeemFields(issued), auth));
    const url = `/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: "http://localhost:3000/" })}`;
    const res = await whileFenced(user.id, () => issued.browser.get(url));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain("Something went wrong");
    expect(html).not.toMatch(/bucket \d+|fenced/);
  });

  it("an unknown client is a 400 page that names the problem", async () => {
    const res = await new TestBrowser().get(authorizeUrl({ ...base(), client_id: "nobody" }));
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toMatch(/This sign-in request is not valid[\s\S]*unknown client_id/);
  });
});
