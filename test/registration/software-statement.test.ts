import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { json } from "../helpers/http";
import { envWith, expectError, mintToken, REDIRECT, register, type ClientInformation } from "./helpers";

const ISSUER = "https://directory.example";
let trusted: CryptoKey;
let stranger: CryptoKey;
let workerEnv: Env;
let token: string;

beforeAll(async () => {
  const pair = await generateKeyPair("ES256");
  trusted = pair.privateKey;
  stranger = (await generateKeyPair("ES256")).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "directory-1", alg: "ES256" };
  workerEnv = envWith({ DCR_SOFTWARE_STATEMENT_ISSUER: ISSUER, DCR_SOFTWARE_STATEMENT_JWKS: JSON.stringify({ keys: [jwk] }) });
  token = (await mintToken({ max_uses: 100 })).initial_access_token;
});

/** A software statement (RFC 7591 §2.3): a JWT whose claims are client metadata. */
function statement(claims: Record<string, unknown>, key: CryptoKey = trusted, options: { iss?: string; exp?: number } = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: "directory-1" })
    .setIssuer(options.iss ?? ISSUER)
    .setIssuedAt()
    .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 300)
    .sign(key);
}

describe("software statements (RFC 7591 §2.3, §3.1.1)", () => {
  it("a statement from the trusted issuer registers, its claims win over the request's, and it is returned unmodified", async () => {
    const signed = await statement({ software_id: "ledger-web", client_name: "Ledger (verified)", redirect_uris: [REDIRECT] });
    const res = await register({ software_statement: signed, client_name: "Anything I like", redirect_uris: ["https://rp.example/other"] }, token, workerEnv);
    expect(res.status, await res.clone().text()).toBe(201);
    const info = await json<ClientInformation>(res);
    expect(info).toMatchObject({ client_name: "Ledger (verified)", software_id: "ledger-web", redirect_uris: [REDIRECT], software_statement: signed });
    expect(info).not.toHaveProperty("iss");
  });

  it("the statement's metadata is checked like the request's", async () => {
    const signed = await statement({ redirect_uris: ["http://rp.example/cb"] });
    await expectError(await register({ software_statement: signed }, token, workerEnv), 400, "invalid_redirect_uri", "redirect_uris[0]");
  });

  it("refuses a statement from an issuer that is not trusted: unapproved_software_statement", async () => {
    const signed = await statement({ client_name: "x" }, stranger, { iss: "https://elsewhere.example" });
    await expectError(await register({ software_statement: signed, redirect_uris: [REDIRECT] }, token, workerEnv), 400, "unapproved_software_statement", "software_statement");
  });

  it("refuses every statement when no issuer is configured: unapproved_software_statement", async () => {
    const signed = await statement({ client_name: "x" });
    const body = await expectError(await register({ software_statement: signed, redirect_uris: [REDIRECT] }, token), 400, "unapproved_software_statement", "software_statement");
    expect(body.error_description).toContain("no trusted issuer");
  });

  it.each([
    ["a forged signature (the trusted iss, another key)", () => statement({ client_name: "x" }, stranger), "signature"],
    ["an expired statement", () => statement({ client_name: "x" }, trusted, { exp: Math.floor(Date.now() / 1000) - 3600 }), "expired"],
    ["a symmetric signature", () => new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setIssuer(ISSUER).sign(new TextEncoder().encode("k".repeat(32))), "algorithm"],
    ["something that is not a JWT", async () => "not.a.jwt", "not a JWT"],
  ])("refuses %s: invalid_software_statement", async (_label, make, why) => {
    const body = await expectError(await register({ software_statement: await make(), redirect_uris: [REDIRECT] }, token, workerEnv), 400, "invalid_software_statement", "software_statement");
    expect(body.error_description).toContain(why);
  });
});
