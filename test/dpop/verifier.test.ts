import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { sameTarget, verifyProof } from "../../src/oauth/dpop";
import { proof, proofKey } from "./helpers";

/** The stateless proof checks of RFC 9449 §4.3 (src/oauth/dpop.ts), at the edges the endpoint tests do not reach. */
describe("htu comparison (RFC 9449 §4.3 check 9, RFC 3986 §6.2.2-6.2.3)", () => {
  it("ignores query and fragment, and normalizes case and default ports", () => {
    expect(sameTarget("https://id.example.com/token?x=1#f", "https://id.example.com/token")).toBe(true);
    expect(sameTarget("HTTPS://ID.Example.COM:443/token", "https://id.example.com/token")).toBe(true);
    expect(sameTarget("https://id.example.com/a/../token", "https://id.example.com/token")).toBe(true);
  });

  it("refuses another scheme, host, port or path, and what is not a URL", () => {
    for (const htu of ["http://id.example.com/token", "https://evil.example/token", "https://id.example.com:8443/token", "https://id.example.com/token/", "token", ""]) {
      expect(sameTarget(htu, "https://id.example.com/token"), htu).toBe(false);
    }
  });
});

describe("verifyProof", () => {
  const target = { method: "POST", url: "http://127.0.0.1:8787/token", now: Math.floor(Date.now() / 1000), windowS: 60 };

  it("returns the RFC 7638 thumbprint, jti and iat of a good proof", async () => {
    const key = await proofKey();
    const checked = await verifyProof(await proof(key, { jti: "j-1", iat: target.now }), target);
    expect(checked).toEqual({ ok: true, proof: { jkt: key.jkt, jti: "j-1", iat: target.now, nonce: undefined } });
  });

  it("accepts an iat at the edge of the window and refuses one past it (§11.1)", async () => {
    const key = await proofKey();
    expect((await verifyProof(await proof(key, { iat: target.now - 60 }), target)).ok).toBe(true);
    expect(await verifyProof(await proof(key, { iat: target.now - 61 }), target)).toEqual({ ok: false, reason: "the DPoP proof's iat is outside the accepted window" });
  });

  it("refuses a signed payload that is not a JSON object, and a non-string nonce", async () => {
    const key = await proofKey();
    const { CompactSign } = await import("jose");
    const array = await new CompactSign(new TextEncoder().encode("[1]")).setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: key.jwk }).sign(key.pair.privateKey);
    expect(await verifyProof(array, target)).toEqual({ ok: false, reason: "the DPoP proof's payload is not a JSON object" });
    const numeric = await new SignJWT({ jti: "j", htm: "POST", htu: target.url, iat: target.now, nonce: 5 })
      .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: key.jwk })
      .sign(key.pair.privateKey);
    expect((await verifyProof(numeric, target)).ok).toBe(false);
  });

  it("refuses an RSA key whose type does not fit alg (an EC jwk with RS256)", async () => {
    const key = await proofKey();
    const rsa = await proofKey("RS256");
    const mixed = await proof(rsa, {}, { jwk: key.jwk });
    expect(await verifyProof(mixed, target)).toEqual({ ok: false, reason: "the DPoP proof's signature does not verify with its jwk" });
  });
});
