import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";

/** The headers every response carries (pages add their own CSP with nonces, which must win). */
const EXPECTED = {
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "cross-origin-opener-policy": "same-origin",
  "origin-agent-cluster": "?1",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-dns-prefetch-control": "off",
  "x-download-options": "noopen",
  "x-frame-options": "DENY",
  "x-permitted-cross-domain-policies": "none",
};

describe("security headers", () => {
  it("are on a JSON response, with a CSP that denies everything", async () => {
    const res = await call("/.well-known/openid-configuration");
    for (const [name, value] of Object.entries(EXPECTED)) expect(res.headers.get(name), name).toBe(value);
    expect(res.headers.get("x-powered-by")).toBeNull();
    expect(res.headers.get("x-xss-protection")).toBeNull();
    expect(res.headers.get("cross-origin-resource-policy")).toBeNull();
  });

  it("are on an error response too", async () => {
    const res = await call("/no-such-endpoint");
    expect(res.status).toBe(404);
    for (const [name, value] of Object.entries(EXPECTED)) expect(res.headers.get(name), name).toBe(value);
  });

  it("leave a page's own Content-Security-Policy in place", async () => {
    const res = await call("/authorize?client_id=nobody&response_type=code");
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.headers.get("content-security-policy")).not.toBe(EXPECTED["content-security-policy"]);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });
});
