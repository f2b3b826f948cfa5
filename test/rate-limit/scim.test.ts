import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callAs, freshIp, limitedEnv, roomInWindow, smallLimit } from "../helpers/rate-limits";
import { scimToken } from "../scim/helpers";

const scim = (token: string) => ({ headers: { Authorization: `Bearer ${token}`, Accept: "application/scim+json" } });

/**
 * SCIM provisioning per provisioning token (README "SCIM provisioning", "Rate limits"):
 * the N+1st request of one token is a 429 in the SCIM error schema (RFC 7644 §3.12) with
 * Retry-After (RFC 6585 §4); another token goes on, and a wrong token spends nothing.
 */
describe("SCIM limit per provisioning token", () => {
  it("refuses the token's N+1st request with a SCIM 429; another token has its own counter; a wrong token is 401 and uncounted", async () => {
    const limit = smallLimit(env.LIMIT_ADMIN, 2);
    const workerEnv = limitedEnv({ LIMIT_ADMIN: limit });
    const [first, second] = [await scimToken("burst IdP"), await scimToken("other IdP")];
    await roomInWindow();
    for (let i = 0; i < 3; i++) expect((await callAs(workerEnv, freshIp(), "/scim/v2/Users", scim(`${first}-wrong`))).status).toBe(401);
    expect(limit.keys).toEqual([]);
    for (let i = 0; i < 2; i++) expect((await callAs(workerEnv, freshIp(), "/scim/v2/Users?count=1", scim(first))).status).toBe(200);
    const refused = await callAs(workerEnv, freshIp(), "/scim/v2/Users?count=1", scim(first));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("60");
    expect(refused.headers.get("Content-Type")).toContain("application/scim+json");
    expect(await refused.json()).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "429", detail: expect.stringMatching(/SCIM requests with this provisioning token/) });
    expect((await callAs(workerEnv, freshIp(), "/scim/v2/Users?count=1", scim(second))).status).toBe(200);
    // The token is hashed before it becomes a key.
    expect(limit.keys.some((key) => key.includes(first))).toBe(false);
  });
});
