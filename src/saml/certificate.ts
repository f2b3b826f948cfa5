/**
 * A self-signed X.509 certificate (RFC 5280 §4.1) for an RSA signing key, built with a
 * minimal DER encoder and WebCrypto. SAML metadata carries keys only as certificates
 * (SAML V2.0 Metadata §2.4.1.1, XML-DSig KeyInfo/X509Data), and SPs pin them; nothing
 * checks a chain. A DER builder of this size is smaller than an X.509 library and runs
 * in workerd on WebCrypto alone.
 *
 * The certificate is a pure function of the key: the serial comes from the kid, the
 * validity is fixed, and RSASSA-PKCS1-v1_5 signatures are deterministic, so every call
 * gives the same bytes and SPs that pinned it keep matching until the key rotates out.
 */

/** WebCrypto's key type, spelled so that both the Workers and the Node typings accept it (the Node tests build SP certificates too). */
type WebCryptoKey = Parameters<typeof crypto.subtle.sign>[1];

const NOT_BEFORE = "20250101000000Z";
const NOT_AFTER = "20991231235959Z";
const SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
const COMMON_NAME = "2.5.4.3";

function length(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function tlv(tag: number, body: Uint8Array | number[]): Uint8Array {
  const content = body instanceof Uint8Array ? body : Uint8Array.from(body);
  return Uint8Array.from([tag, ...length(content.length), ...content]);
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
};

const sequence = (...parts: Uint8Array[]) => tlv(0x30, concat(...parts));
const utf8 = (s: string) => tlv(0x0c, new TextEncoder().encode(s));
const generalizedTime = (s: string) => tlv(0x18, new TextEncoder().encode(s));

function oid(dotted: string): Uint8Array {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const bytes = [40 * a! + b!];
  for (const arc of rest) {
    const chunk: number[] = [];
    for (let v = arc; ; v = Math.floor(v / 128)) {
      chunk.unshift((v % 128) | (chunk.length ? 0x80 : 0));
      if (v < 128) break;
    }
    bytes.push(...chunk);
  }
  return tlv(0x06, bytes);
}

/** A positive INTEGER from the first bytes of `seed` (RFC 5280 §4.1.2.2: at most 20 octets). */
function serial(seed: Uint8Array): Uint8Array {
  const bytes = Array.from(seed.slice(0, 16));
  bytes[0] = bytes[0]! & 0x7f || 1;
  return tlv(0x02, bytes);
}

const rsaSha256 = () => sequence(oid(SHA256_WITH_RSA), tlv(0x05, []));
const name = (cn: string) => sequence(tlv(0x31, sequence(oid(COMMON_NAME), utf8(cn))));

/**
 * The DER bytes of a self-signed certificate for `publicKey`, signed by `privateKey`
 * (both RSASSA-PKCS1-v1_5 SHA-256), subject and issuer `CN=<commonName>`.
 */
export async function selfSignedCertificate(publicKey: WebCryptoKey, privateKey: WebCryptoKey, commonName: string, kid: string): Promise<Uint8Array> {
  const spki = new Uint8Array((await crypto.subtle.exportKey("spki", publicKey)) as ArrayBuffer);
  const seed = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(kid)));
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, [2])), // [0] EXPLICIT version v3
    serial(seed),
    rsaSha256(),
    name(commonName),
    sequence(generalizedTime(NOT_BEFORE), generalizedTime(NOT_AFTER)),
    name(commonName),
    spki,
  );
  const signature = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", privateKey, tbs));
  return sequence(tbs, rsaSha256(), tlv(0x03, concat(Uint8Array.of(0), signature)));
}

export function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
