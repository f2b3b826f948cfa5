import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";

/** The headers an API response (JSON, JWT) carries: OWASP REST Security Cheat Sheet, "Security Headers". */
const API = {
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
};

/** And those that act only on a document a browser renders or navigates through: pages, redirects, other bodies. */
const DOCUMENT_ONLY = {
  "cross-origin-opener-policy": "same-origin",
  "origin-agent-cluster": "?1",
  "referrer-policy": "no-referrer",
  "x-dns-prefetch-control": "off",
  "x-download-options": "noopen",
  "x-permitted-cross-domain-policies": "none",
};

describe("security headers", () => {
  it("are on a JSON response, with a CSP that denies everything and every frame", async () => {
    const res = await call("/.well-known/openid-configuration");
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    for (const [name, value] of Object.entries(API)) expect(res.headers.get(name), name).toBe(value);
    for (const name of Object.keys(DOCUMENT_ONLY)) expect(res.headers.get(name), name).toBeNull();
    expect(res.headers.get("x-powered-by")).toBeNull();
    expect(res.headers.get("x-xss-protection")).toBeNull();
    expect(res.headers.get("cross-origin-resource-policy")).toBeNull();
  });

  it("are on a JSON error response too", async () => {
    const res = await call("/no-such-endpoint");
    expect(res.status).toBe(404);
    for (const [name, value] of Object.entries(API)) expect(res.headers.get(name), name).toBe(value);
  });

  it("are all on a page, which keeps its own Content-Security-Policy", async () => {
    const res = await call("/authorize?client_id=nobody&response_type=code");
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.headers.get("content-security-policy")).not.toBe(API["content-security-policy"]);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    for (const [name, value] of Object.entries(DOCUMENT_ONLY)) expect(res.headers.get(name), name).toBe(value);
  });

  it("are all on a redirect: its Referrer-Policy governs the navigation it starts", async () => {
    const res = await call("/admin");
    expect(res.status).toBe(302);
    for (const [name, value] of Object.entries({ ...API, ...DOCUMENT_ONLY })) expect(res.headers.get(name), name).toBe(value);
  });
});
