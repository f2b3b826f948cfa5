import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { callAs, freshIp, limitedEnv, roomInWindow, smallLimit } from "../helpers/rate-limits";

/** An operator token of this test's own, so its counter starts at zero. */
const freshToken = () => `operator-${crypto.randomUUID()}`;
const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

describe("operator API limit per operator token (LIMIT_ADMIN)", () => {
  it("refuses the token's N+1st request with a JSON 429 from any address; another token goes on", async () => {
    const limit = smallLimit(env.LIMIT_ADMIN, 3);
    const [token, nextToken] = [freshToken(), freshToken()];
    const workerEnv = limitedEnv({ LIMIT_ADMIN: limit, ADMIN_TOKEN: token });
    await roomInWindow();
    for (let i = 0; i < 3; i++) expect((await callAs(workerEnv, freshIp(), "/admin/keys", bearer(token))).status).toBe(200);
    const refused = await callAs(workerEnv, freshIp(), "/admin/clients", bearer(token));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("60");
    expect(refused.headers.get("Cache-Control")).toBe("no-store");
    expect(await json(refused)).toEqual({ error: "rate_limited", error_description: expect.stringMatching(/operator API requests with this token/) });
    // The token is hashed before it becomes a key.
    expect(limit.keys.some((key) => key.includes(token))).toBe(false);
    // A rotated token (ADMIN_TOKEN changed) has its own counter.
    const rotated = limitedEnv({ LIMIT_ADMIN: limit, ADMIN_TOKEN: nextToken });
    expect((await callAs(rotated, freshIp(), "/admin/keys", bearer(nextToken))).status).toBe(200);
  });

  it("a wrong token is refused with 401 before it is counted, and spends nothing", async () => {
    const limit = smallLimit(env.LIMIT_ADMIN, 1);
    const token = freshToken();
    const workerEnv = limitedEnv({ LIMIT_ADMIN: limit, ADMIN_TOKEN: token });
    await roomInWindow();
    for (let i = 0; i < 3; i++) expect((await callAs(workerEnv, freshIp(), "/admin/keys", bearer(`${token}-wrong`))).status).toBe(401);
    expect(limit.keys).toEqual([]);
    expect((await callAs(workerEnv, freshIp(), "/admin/keys", bearer(token))).status).toBe(200);
    expect((await callAs(workerEnv, freshIp(), "/admin/keys", bearer(token))).status).toBe(429);
  });
});
