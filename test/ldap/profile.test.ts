import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";
import { escapeDnValue, profileOf, rolesOf } from "../../src/router/ldap/profile";

/** The directory's answer mapped to the local profile, roles and the disabled flag; the LDAP_* configuration. */

const BASE = { ISSUER: "http://127.0.0.1:8787", LDAP_URL: "ldap://127.0.0.1:3890", LDAP_BIND_DN: "cn=reader,dc=example,dc=org", LDAP_BIND_PASSWORD: "secret", LDAP_USER_BASE: "ou=people,dc=example,dc=org" };
const ldapOf = (env: Record<string, string>) => parseConfig({ ...BASE, ...env }).ldap!;

describe("directory profiles", () => {
  const config = ldapOf({ LDAP_GROUP_ROLES: JSON.stringify({ "CN=Admins,OU=Groups,DC=example,DC=org": "admin" }) });

  it("maps mail/cn/givenName/sn, normalises the email, and maps groups to roles case-insensitively (DNs compare without case)", () => {
    const profile = profileOf(config, { dn: "uid=a,ou=people,dc=example,dc=org", attributes: { mail: [" A@Example.ORG "], cn: ["A B"], givenname: ["A"], sn: ["B"] } }, ["cn=admins,ou=groups,dc=example,dc=org", "cn=other,dc=x"]);
    expect(profile).toMatchObject({ email: "a@example.org", name: "A B", givenName: "A", familyName: "B", disabled: false, roles: ["admin"] });
    expect(rolesOf(config, ["cn=nobody"])).toEqual([]);
  });

  it("an entry without a usable email is no account (a local user needs one)", () => {
    expect(profileOf(config, { dn: "uid=a", attributes: { mail: ["not-an-email"] } }, [])).toBeNull();
  });

  it("disabled: pwdAccountLockedTime present (OpenLDAP ppolicy), or AD's userAccountControl with ACCOUNTDISABLE (0x2)", () => {
    expect(profileOf(config, { dn: "uid=a", attributes: { mail: ["a@b.org"], pwdaccountlockedtime: ["000001010000Z"] } }, [])!.disabled).toBe(true);
    const ad = ldapOf({ LDAP_ATTRIBUTES: JSON.stringify({ disabled: "userAccountControl" }) });
    expect(profileOf(ad, { dn: "cn=a", attributes: { mail: ["a@b.org"], useraccountcontrol: ["514"] } }, [])!.disabled).toBe(true);
    expect(profileOf(ad, { dn: "cn=a", attributes: { mail: ["a@b.org"], useraccountcontrol: ["512"] } }, [])!.disabled).toBe(false);
  });

  it("escapes a typed name placed in a DN template (RFC 4514 §2.4)", () => {
    expect(escapeDnValue("a,b+c=d")).toBe("a\\,b\\+c\\=d");
    expect(escapeDnValue("#x ")).toBe("\\#x\\ ");
  });
});

describe("LDAP configuration", () => {
  it("is off without LDAP_URL; StartTLS defaults on except for loopback hosts", () => {
    expect(parseConfig({ ISSUER: BASE.ISSUER }).ldap).toBeNull();
    expect(ldapOf({}).startTls).toBe(false);
    expect(ldapOf({ LDAP_URL: "ldap://dc1.corp.example:389" }).startTls).toBe(true);
    expect(ldapOf({ LDAP_URL: "ldaps://dc1.corp.example" }).startTls).toBe(false);
  });

  it("refuses what would not work, naming the variable", () => {
    const refused = (env: Record<string, string | undefined>, variable: string) => {
      expect(() => parseConfig({ ...BASE, ...env } as Record<string, string>)).toThrow(ConfigError);
      expect(() => parseConfig({ ...BASE, ...env } as Record<string, string>)).toThrow(variable);
    };
    refused({ LDAP_URL: "http://dc1" }, "LDAP_URL");
    refused({ LDAP_BIND_DN: undefined }, "LDAP_BIND_DN");
    refused({ LDAP_BIND_PASSWORD: undefined }, "LDAP_BIND_PASSWORD");
    refused({ LDAP_USER_BASE: undefined }, "LDAP_USER_BASE");
    refused({ LDAP_USER_FILTER: "(uid=alice)" }, "LDAP_USER_FILTER");
    refused({ LDAP_GROUP_ROLES: "[]" }, "LDAP_GROUP_ROLES");
    refused({ LDAP_ATTRIBUTES: JSON.stringify({ phone: "x" }) }, "LDAP_ATTRIBUTES");
    refused({ LDAP_TIMEOUT_MS: "5" }, "LDAP_TIMEOUT_MS");
  });
});
