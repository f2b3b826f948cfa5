import { describe, expect, it } from "vitest";
import { DOMAIN_ERRORS } from "../../src/actors/results";
import { shardFailure, type ShardCall } from "../../src/router/shard-errors";
import { admin, json } from "../helpers/http";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { registerClient } from "../helpers/oidc";

const SENTINEL = "family g-123 of user u-456 ended (user disabled)";
const CALLS: readonly ShardCall[] = ["code", "refresh", "user", "session", "sign-in", "change"];

/** What each call site shows for the codes it expects; every other code is a 500. */
const EXPECTED: Partial<Record<ShardCall, Partial<Record<string, [string, number]>>>> = {
  code: { invalid_grant: ["invalid_grant", 400], invalid_dpop_proof: ["invalid_dpop_proof", 400] },
  refresh: { invalid_grant: ["invalid_grant", 400], invalid_scope: ["invalid_scope", 400], invalid_dpop_proof: ["invalid_dpop_proof", 400] },
  user: { not_found: ["not_found", 404] },
  session: { not_found: ["not_found", 404] },
};

describe("a shard's refusal as the client sees it", () => {
  it.each(CALLS.flatMap((call) => DOMAIN_ERRORS.map((code) => [call, code] as const)))("%s / %s: the router's text, never the shard's detail", (call, code) => {
    const error = shardFailure({ ok: false, error: code, detail: SENTINEL }, call, "the operation");
    const [expectedCode, status] = EXPECTED[call]?.[code] ?? ["server_error", 500];
    expect(error.code).toBe(expectedCode);
    expect(error.status).toBe(status);
    expect(error.description).not.toContain(SENTINEL);
    expect(error.description).not.toContain(code === "invalid_grant" || code === "invalid_scope" || code === "not_found" ? SENTINEL : code);
    // ...but the log keeps it.
    expect(error.detail).toContain(SENTINEL);
  });

  it("a refresh after the user was disabled says invalid_grant, not why (RFC 6749 §5.2)", async () => {
    const registered = await registerClient("confidential");
    const auth = basic(registered.clientId, registered.secret!);
    const issued = await issueCode(registered.clientId);
    const tokens = await json<{ access_token: string; refresh_token: string }>(await tokenRequest(redeemFields(issued), auth));
    const sub = JSON.parse(atob(tokens.access_token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))).sub as string;
    expect((await admin("POST", `/users/${sub}/disable`)).status).toBe(200);
    const res = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }, auth);
    const body = await json<{ error: string; error_description: string }>(res);
    expect(res.status).toBe(400);
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).not.toMatch(/disabled|family|ended/);
  });

  it("a replayed code says invalid_grant with the same text as an unknown one", async () => {
    const registered = await registerClient("confidential");
    const auth = basic(registered.clientId, registered.secret!);
    const issued = await issueCode(registered.clientId);
    await tokenRequest(redeemFields(issued), auth);
    const replay = await json<{ error_description: string }>(await tokenRequest(redeemFields(issued), auth));
    const unknown = await json<{ error_description: string }>(await tokenRequest(redeemFields({ ...issued, code: `c.1.${"A".repeat(43)}` }), auth));
    expect(replay.error_description).toBe(unknown.error_description);
  });
});
