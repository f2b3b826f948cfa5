import { describe, expect, it } from "vitest";
import { admin, json } from "../helpers/http";
import { expectError, mintToken, REDIRECT, register, registered } from "../registration/helpers";

/** dpop_bound_access_tokens (RFC 9449 §5.2) through the operator API and dynamic registration (RFC 7591 §2). */
describe("dpop_bound_access_tokens client metadata (RFC 9449 §5.2)", () => {
  it("the operator API stores it and shows it; it defaults to false", async () => {
    const id = `dpop-${crypto.randomUUID().slice(0, 8)}`;
    const body = { client_name: "SPA", client_type: "public", redirect_uris: [REDIRECT], grant_types: ["authorization_code"], scope: "openid" };
    expect((await admin("PUT", `/clients/${id}`, { ...body, dpop_bound_access_tokens: true })).status).toBe(201);
    expect(await json(await admin("GET", `/clients/${id}`))).toMatchObject({ client: { dpop_bound_access_tokens: true } });
    expect((await admin("PUT", `/clients/${id}`, body)).status).toBe(200);
    expect(await json(await admin("GET", `/clients/${id}`))).toMatchObject({ client: { dpop_bound_access_tokens: false } });
  });

  it("the operator API refuses a non-boolean with 400", async () => {
    const res = await admin("PUT", `/clients/dpop-bad`, { client_name: "x", client_type: "public", redirect_uris: [REDIRECT], dpop_bound_access_tokens: "yes" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("dpop_bound_access_tokens");
  });

  it("dynamic registration accepts it and returns it in the client information response", async () => {
    const info = await registered({ token_endpoint_auth_method: "none", dpop_bound_access_tokens: true }, { token_endpoint_auth_methods: ["none"] });
    expect(info.dpop_bound_access_tokens).toBe(true);
    const plain = await registered({ token_endpoint_auth_method: "none" }, { token_endpoint_auth_methods: ["none"] });
    expect(plain.dpop_bound_access_tokens).toBe(false);
  });

  it("dynamic registration refuses a non-boolean as invalid_client_metadata", async () => {
    const { initial_access_token } = await mintToken();
    await expectError(await register({ redirect_uris: [REDIRECT], dpop_bound_access_tokens: "yes" }, initial_access_token), 400, "invalid_client_metadata", "dpop_bound_access_tokens");
  });
});
