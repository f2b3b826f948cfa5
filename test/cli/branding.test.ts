import { describe, expect, it } from "vitest";
import { UsageError } from "../../cli/lib/args.ts";
import { logoTypeOf, readBrand } from "../../cli/lib/branding-commands.ts";

const bodyOf = (read: ReturnType<typeof readBrand>) => (read === "help" ? null : read.body);

/** `npm run clients -- brand | upload-logo`: a client's look (README "Branding and languages"). */
describe("clients brand", () => {
  it("sends only the fields given, the texts per language", () => {
    const body = bodyOf(readBrand(["--client", "web", "--name", "Acme", "--primary-color", "#aa3300", "--text", "Staff only.", "--text-ja", "社員専用", "--policy-uri", "https://acme.example/privacy"]));
    expect(body).toEqual({ display_name: "Acme", primary_color: "#aa3300", text: { en: "Staff only.", ja: "社員専用" }, policy_uri: "https://acme.example/privacy" });
  });

  it("refuses a colour that is not #rrggbb before sending, and an empty change", () => {
    expect(() => readBrand(["--client", "web", "--primary-color", "red;}body{x:y"])).toThrow(/hex colour/);
    expect(() => readBrand(["--client", "web", "--background-color", "#fff"])).toThrow(UsageError);
    expect(() => readBrand(["--client", "web"])).toThrow(/nothing to set/);
  });

  it("uploads PNG, JPEG and WebP by extension and refuses SVG", () => {
    expect(logoTypeOf("logo.PNG")).toBe("image/png");
    expect(logoTypeOf("a/b/logo.jpeg")).toBe("image/jpeg");
    expect(logoTypeOf("logo.webp")).toBe("image/webp");
    expect(() => logoTypeOf("logo.svg")).toThrow(/SVG is not accepted/);
  });
});
