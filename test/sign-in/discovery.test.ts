import { describe, expect, it } from "vitest";
import { call, json } from "../helpers/http";

describe("discovery (OIDC Discovery 1.0 §3, §4)", () => {
  it("serves metadata whose issuer is the configured one, whatever the Host header says", async () => {
    const res = await call("/.well-known/openid-configuration", { headers: { Host: "evil.example", "X-Forwarded-Host": "evil.example" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const metadata = await json(res);
    expect(metadata.issuer).toBe("http://127.0.0.1:8787");
    expect(JSON.stringify(metadata)).not.toContain("evil.example");
    expect(metadata.code_challenge_methods_supported).toEqual(["S256"]);
    expect(metadata.response_types_supported).toEqual(["code", "code id_token", "code token", "code id_token token"]);
  });

  it("answers unknown paths with a JSON 404 and no-store", async () => {
    const res = await call("/no-such-endpoint");
    expect(res.status).toBe(404);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect((await json(res)).error).toBeTypeOf("string");
  });
});
