import { describe, expect, it } from "vitest";
import { UsageError } from "../../cli/lib/args.ts";
import { formatSp, readAdd } from "../../cli/lib/saml-commands.ts";

const files = (path: string) => {
  if (path === "sp.xml") return "<md:EntityDescriptor/>";
  throw new Error("ENOENT");
};
const bodyOf = (read: ReturnType<typeof readAdd>) => (read === "help" ? null : read.body);

/** `npm run saml -- add --metadata sp.xml`: an SP registered from its metadata (SAML Metadata §2.4.4). */
describe("saml add", () => {
  it("sends the metadata file's XML and the operator's choices", () => {
    const body = bodyOf(readAdd(["--metadata", "sp.xml", "--name", "Wiki", "--name-id", "persistent", "--sign", "assertion", "--attribute", "email=mail", "--attribute", "name=displayName", "--encrypt"], files));
    expect(body).toEqual({
      metadata_xml: "<md:EntityDescriptor/>",
      display_name: "Wiki",
      name_id_format: "persistent",
      sign_response: false,
      sign_assertion: true,
      encrypt_assertion: true,
      attribute_map: { email: "mail", name: "displayName" },
    });
    expect(bodyOf(readAdd(["--metadata", "sp.xml"], files))).toEqual({ metadata_xml: "<md:EntityDescriptor/>" });
  });

  it("refuses an unreadable file, an unknown NameID format or signing choice, and a malformed attribute pair", () => {
    expect(() => readAdd(["--metadata", "missing.xml"], files)).toThrow(/cannot read missing.xml/);
    expect(() => readAdd(["--metadata", "sp.xml", "--name-id", "transient"], files)).toThrow(UsageError);
    expect(() => readAdd(["--metadata", "sp.xml", "--sign", "neither"], files)).toThrow(/--sign must be/);
    expect(() => readAdd(["--metadata", "sp.xml", "--attribute", "email"], files)).toThrow(/OURS=THEIRS/);
  });

  it("lists an SP with its endpoints, NameID format and signing", () => {
    const text = formatSp({
      entity_id: "https://sp.example/metadata",
      display_name: "Wiki",
      acs_urls: ["https://sp.example/acs"],
      slo: { url: "https://sp.example/slo", binding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" },
      name_id_format: "email",
      sign_response: true,
      sign_assertion: true,
      want_authn_requests_signed: true,
      attribute_map: { email: "mail" },
    });
    expect(text).toContain("ACS https://sp.example/acs");
    expect(text).toContain("SLO https://sp.example/slo (HTTP-Redirect)");
    expect(text).toContain("signs response+assertion  requires signed AuthnRequests");
    expect(text).toContain("email→mail");
  });
});
