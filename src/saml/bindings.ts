import { signWithKey, verifyWithCertificate } from "./vendor/node-crypto.js";
import { SamlInputError } from "./xml";

/** A deflated message larger than this once inflated is refused (SAML Bindings §3.4.4.1 messages are small). */
const MAX_INFLATED = 256 * 1024;
const MAX_ENCODED = 64 * 1024;

export const SIG_ALGS: Record<string, "RSA-SHA256" | "RSA-SHA512"> = {
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": "RSA-SHA256",
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": "RSA-SHA512",
};

function fromBase64(value: string): Uint8Array {
  if (value.length > MAX_ENCODED) throw new SamlInputError("the SAML message is too large");
  try {
    return Uint8Array.from(atob(value.replace(/\s+/g, "")), (ch) => ch.charCodeAt(0));
  } catch {
    throw new SamlInputError("the SAML message is not base64");
  }
}

async function inflateRaw(bytes: Uint8Array): Promise<string> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_INFLATED) throw new SamlInputError("the SAML message is too large once inflated");
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof SamlInputError) throw error;
    throw new SamlInputError("the SAML message is not DEFLATE-encoded (HTTP-Redirect binding)");
  } finally {
    reader.releaseLock();
  }
  return new TextDecoder().decode(await new Blob(chunks as Uint8Array<ArrayBuffer>[]).arrayBuffer());
}

export async function deflateRaw(text: string): Promise<string> {
  const stream = new Blob([new TextEncoder().encode(text)]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/**
 * The message of an HTTP-POST binding form field (SAML Bindings §3.5.4): base64 XML. Some SP
 * libraries (passport-saml / node-saml by default) also DEFLATE it as for HTTP-Redirect;
 * a value that does not start like XML is inflated, within the same size limit.
 */
export async function decodePost(value: string): Promise<string> {
  const bytes = fromBase64(value);
  const first = bytes.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0xef && b !== 0xbb && b !== 0xbf);
  return first === 0x3c ? new TextDecoder().decode(bytes) : inflateRaw(bytes);
}

/** A message received over HTTP-Redirect (SAML Bindings §3.4.4), with what its query signature covers. */
export interface RedirectMessage {
  xml: string;
  relayState: string | null;
  signature: { sigAlg: string; value: string; signedOctets: string } | null;
}

/**
 * Reads `SAMLRequest`/`SAMLResponse` from the raw query string. The signed octets are
 * rebuilt from the parameters exactly as they were URL-encoded in the request
 * (§3.4.4.1), never re-encoded, so an SP's encoding choices do not break its signature.
 */
export async function decodeRedirect(rawQuery: string, param: "SAMLRequest" | "SAMLResponse"): Promise<RedirectMessage> {
  const raw = new Map<string, string>();
  for (const pair of rawQuery.split("&")) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    const name = pair.slice(0, at);
    if (raw.has(name)) throw new SamlInputError(`${name} is repeated`);
    raw.set(name, pair.slice(at + 1));
  }
  const decode = (v: string | undefined) => {
    if (v === undefined) return null;
    try {
      return decodeURIComponent(v.replace(/\+/g, " "));
    } catch {
      throw new SamlInputError("the query string is not valid URL encoding");
    }
  };
  const message = decode(raw.get(param));
  if (!message) throw new SamlInputError(`${param} is missing`);
  const relayState = decode(raw.get("RelayState"));
  const sigAlg = decode(raw.get("SigAlg"));
  const value = decode(raw.get("Signature"));
  let signature: RedirectMessage["signature"] = null;
  if (sigAlg !== null || value !== null) {
    if (!sigAlg || !value) throw new SamlInputError("Signature and SigAlg go together");
    const signedOctets = [`${param}=${raw.get(param)}`, ...(raw.has("RelayState") ? [`RelayState=${raw.get("RelayState")}`] : []), `SigAlg=${raw.get("SigAlg")}`].join("&");
    signature = { sigAlg, value, signedOctets };
  }
  return { xml: await inflateRaw(fromBase64(message)), relayState, signature };
}

/** Checks an HTTP-Redirect query signature with one of the SP's registered certificates (PEM). */
export function verifyRedirectSignature(signature: NonNullable<RedirectMessage["signature"]>, certPems: string[]): void {
  const alg = SIG_ALGS[signature.sigAlg];
  if (!alg) throw new SamlInputError("SigAlg not allowed (RSA-SHA256 or RSA-SHA512)");
  const valid = certPems.some((pem) => {
    try {
      return verifyWithCertificate(alg, signature.signedOctets, pem, signature.value);
    } catch {
      return false;
    }
  });
  if (!valid) throw new SamlInputError("the query signature does not verify");
}

/**
 * The URL of a message sent over HTTP-Redirect (SAML Bindings §3.4.4.1): deflated, base64,
 * and signed over the query string (RSA-SHA256), not in the XML. A query the endpoint
 * already has is kept.
 */
export async function signedRedirectUrl(endpoint: string, param: "SAMLRequest" | "SAMLResponse", xml: string, relayState: string | null, privateKeyPem: string): Promise<string> {
  let query = `${param}=${encodeURIComponent(await deflateRaw(xml))}`;
  if (relayState !== null) query += `&RelayState=${encodeURIComponent(relayState)}`;
  query += `&SigAlg=${encodeURIComponent("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")}`;
  query += `&Signature=${encodeURIComponent(signWithKey("RSA-SHA256", query, privateKeyPem))}`;
  const url = new URL(endpoint);
  return `${url.origin}${url.pathname}${url.search ? `${url.search}&` : "?"}${query}`;
}
