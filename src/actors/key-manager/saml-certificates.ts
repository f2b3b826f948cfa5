import { importJWK } from "jose/key/import";
import type { JWK } from "jose";
import { base64, selfSignedCertificate } from "../../saml/certificate";
import type { KeyState, SamlKeys } from "./api";

interface RsaRow {
  kid: string;
  state: string;
  publicJwk: JWK;
  privateJwk: JWK;
}

/**
 * The SAML view of the RS256 keys: each published key as a self-signed certificate
 * (built here, where every private key lives, so the next key's certificate can be in
 * the IdP metadata before it signs anything), and the active key to sign with.
 */
export async function samlKeysOf(rows: RsaRow[], commonName: string): Promise<SamlKeys> {
  const certificates = await Promise.all(
    rows.map(async (row) => {
      const publicKey = (await importJWK({ ...row.publicJwk, alg: "RS256" }, "RS256", { extractable: true })) as CryptoKey;
      const privateKey = (await importJWK(row.privateJwk, "RS256")) as CryptoKey;
      const der = await selfSignedCertificate(publicKey, privateKey, commonName, row.kid);
      return { kid: row.kid, state: row.state as KeyState, certificate: base64(der) };
    }),
  );
  const active = rows.find((row) => row.state === "active");
  if (!active) throw new Error("no active RS256 key");
  return { active: { kid: active.kid, privateJwk: active.privateJwk }, certificates };
}
