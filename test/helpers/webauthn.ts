import { base64url } from "jose";

/**
 * A software WebAuthn authenticator for the workerd tests: an ES256 key pair made with
 * WebCrypto, `none` attestation (WebAuthn §8.7), and the answers a browser would send
 * (§5.1 toJSON(): base64url fields). Everything a real authenticator decides — the flags,
 * the counter, the origin and RP ID it signs for — is a parameter, so tests can lie.
 */
export const TEST_RP_ID = "localhost";
export const TEST_ORIGIN = "http://localhost:8787";

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

// --- A small CBOR encoder (RFC 8949): unsigned/negative ints, byte and text strings, maps ---
function head(major: number, n: number): number[] {
  if (n < 24) return [(major << 5) | n];
  if (n < 256) return [(major << 5) | 24, n];
  return [(major << 5) | 25, n >> 8, n & 255];
}
type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;
function cbor(value: Cbor): number[] {
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === "string") {
    const bytes = new TextEncoder().encode(value);
    return [...head(3, bytes.length), ...bytes];
  }
  if (value instanceof Uint8Array) return [...head(2, value.length), ...value];
  return [...head(5, value.size), ...[...value].flatMap(([k, v]) => [...cbor(k), ...cbor(v)])];
}

const concat = (...parts: ArrayLike<number>[]) => Uint8Array.from(parts.flatMap((p) => [...Array.from(p)]));
const sha256 = async (data: Uint8Array) => new Uint8Array(await crypto.subtle.digest("SHA-256", data));
const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** WebCrypto's ECDSA signature is r||s; WebAuthn wants ASN.1 DER (§6.5.6). */
function derSignature(raw: Uint8Array): Uint8Array {
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.slice(i);
    return v[0]! & 0x80 ? [0x02, v.length + 1, 0, ...v] : [0x02, v.length, ...v];
  };
  const body = [...int(raw.slice(0, 32)), ...int(raw.slice(32))];
  return Uint8Array.from([0x30, body.length, ...body]);
}

export interface CeremonyTarget {
  challenge: string;
  origin?: string;
  rpId?: string;
  /** clientDataJSON.type: webauthn.create / webauthn.get unless a test sends the wrong one. */
  type?: string;
}

export class SoftAuthenticator {
  readonly credentialId = base64url.encode(crypto.getRandomValues(new Uint8Array(16)));
  counter = 0;
  /** BE/BS flags (a synced passkey) and UV (the user verified with PIN or biometrics). */
  backedUp = false;
  userVerified = true;

  private constructor(private readonly keys: CryptoKeyPair, private readonly cose: Uint8Array) {}

  static async create(): Promise<SoftAuthenticator> {
    const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const jwk = (await crypto.subtle.exportKey("jwk", keys.publicKey)) as JsonWebKey;
    // RFC 9053 §7.1.1 EC2 key: kty 2, alg -7 (ES256), crv 1 (P-256), x, y.
    const cose = Uint8Array.from(cbor(new Map<Cbor, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, base64url.decode(jwk.x!)], [-3, base64url.decode(jwk.y!)]])));
    return new SoftAuthenticator(keys, cose);
  }

  private flags(extra: number): number {
    return FLAG_UP | (this.userVerified ? FLAG_UV : 0) | (this.backedUp ? FLAG_BE | FLAG_BS : 0) | extra;
  }

  private clientData(target: CeremonyTarget, type: string): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ type: target.type ?? type, challenge: target.challenge, origin: target.origin ?? TEST_ORIGIN, crossOrigin: false }));
  }

  /** navigator.credentials.create(): the registration answer (§7.1), `none` attestation. */
  async register(target: CeremonyTarget) {
    const idBytes = base64url.decode(this.credentialId);
    const rpIdHash = await sha256(new TextEncoder().encode(target.rpId ?? TEST_RP_ID));
    const attested = concat(new Uint8Array(16), [idBytes.length >> 8, idBytes.length & 255], idBytes, this.cose);
    const authData = concat(rpIdHash, [this.flags(FLAG_AT)], u32(this.counter), attested);
    const attestationObject = Uint8Array.from(cbor(new Map<Cbor, Cbor>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]])));
    return {
      id: this.credentialId, rawId: this.credentialId, type: "public-key", authenticatorAttachment: "platform", clientExtensionResults: {},
      response: { clientDataJSON: base64url.encode(this.clientData(target, "webauthn.create")), attestationObject: base64url.encode(attestationObject), transports: ["internal"] },
    };
  }

  /** navigator.credentials.get(): the assertion (§7.2), signed over authenticatorData || SHA-256(clientDataJSON). */
  async assert(target: CeremonyTarget & { userHandle?: string | null; counter?: number }) {
    if (target.counter === undefined) this.counter += 1;
    const rpIdHash = await sha256(new TextEncoder().encode(target.rpId ?? TEST_RP_ID));
    const authData = concat(rpIdHash, [this.flags(0)], u32(target.counter ?? this.counter));
    const clientDataJSON = this.clientData(target, "webauthn.get");
    const signed = concat(authData, await sha256(clientDataJSON));
    const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, this.keys.privateKey, signed));
    return {
      id: this.credentialId, rawId: this.credentialId, type: "public-key", authenticatorAttachment: "platform", clientExtensionResults: {},
      response: {
        clientDataJSON: base64url.encode(clientDataJSON), authenticatorData: base64url.encode(authData), signature: base64url.encode(derSignature(raw)),
        ...(target.userHandle ? { userHandle: base64url.encode(new TextEncoder().encode(target.userHandle)) } : {}),
      },
    };
  }
}
