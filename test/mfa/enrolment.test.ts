import { describe, expect, it } from "vitest";
import { TOTP } from "otpauth";
import { TestBrowser } from "../helpers/browser";
import { createUser } from "../helpers/oidc";
import { rowsIn, currentDirectoryMap } from "../helpers/shards";
import { shardOf } from "../../src/shard/map";
import { bucketOf } from "../../src/shard/bucket";
import { accountForm, accountSignIn, awayFromStepBoundary, codeAt } from "./helpers";

/** TOTP enrolment on the account page (RFC 6238; the Key Uri Format apps scan). */
describe("enrolment", () => {
  it("otpauth runs in workerd and agrees with RFC 6238 Appendix B (SHA-1, T = 59 s → 94287082)", () => {
    // RFC 6238 Appendix B: the ASCII secret "12345678901234567890", 8 digits.
    const totp = new TOTP({ secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", digits: 8, period: 30, algorithm: "SHA1" });
    expect(totp.generate({ timestamp: 59_000 })).toBe("94287082");
    expect(totp.generate({ timestamp: 1_111_111_109_000 })).toBe("07081804");
  });

  it("shows a QR code and key, and switches TOTP on only after a valid confirmation code", async () => {
    await awayFromStepBoundary();
    const user = await createUser();
    const browser = new TestBrowser();
    expect((await accountSignIn(browser, user)).status).toBe(303);
    const started = await (await accountForm(browser, "start_totp")).text();
    expect(started).toContain("<svg");
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(started)![1]!;
    expect(started).toContain(`otpauth://totp/`);

    const wrong = await accountForm(browser, "confirm_totp", { code: codeAt(secret, 3) });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("That code is not correct");
    const stillOff = await (await browser.get("/account")).text();
    expect(stillOff).toContain('id="confirm-totp"');

    const right = await accountForm(browser, "confirm_totp", { code: codeAt(secret) });
    const html = await right.text();
    expect(right.status).toBe(200);
    expect(html).toContain("Two-factor sign-in is on.");
    const codes = [...html.matchAll(/<code>([a-z0-9]{5}-[a-z0-9]{5})<\/code>/g)].map((m) => m[1]);
    expect(new Set(codes).size).toBe(10);

    // Stored: the secret sealed (not in the clear), recovery codes as hashes only.
    const shard = shardOf(await currentDirectoryMap(), bucketOf(user.id));
    const [factor] = await rowsIn(shard, "totp_factors", "user_id = ?", user.id);
    expect(factor!.confirmed_at).not.toBeNull();
    expect(String(factor!.sealed_secret)).not.toContain(secret);
    const stored = await rowsIn(shard, "recovery_codes", "user_id = ?", user.id);
    expect(stored).toHaveLength(10);
    expect(JSON.stringify(stored)).not.toContain(codes[0]!.replace("-", ""));

    // The recovery codes are shown once: the next visit lists how many are left, not the codes.
    const later = await (await browser.get("/account")).text();
    expect(later).toContain("10 recovery codes left");
    expect(later).not.toContain(codes[0]!);
  });

  it("a form without the CSRF value is refused with 400, and nothing changes", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    await accountSignIn(browser, user);
    const res = await browser.post("/account", { action: "start_totp" });
    expect(res.status).toBe(400);
    expect(await rowsIn(shardOf(await currentDirectoryMap(), bucketOf(user.id)), "totp_factors", "user_id = ?", user.id)).toEqual([]);
  });
});
