import { connect } from "cloudflare:sockets";
import { completeLength, concat } from "./ber";
import {
  bindRequest, nextPageCookie, OP, parseEntry, parseMessage, parseResult, RESULT, searchRequest, startTlsRequest, unbindRequest,
  type LdapResult, type Message, type SearchEntry, type SearchOptions,
} from "./messages";

/**
 * An LDAPv3 client over Cloudflare's TCP sockets (`connect()`): simple bind, search (with
 * RFC 2696 paging), StartTLS (RFC 4511 §4.14) or LDAPS, unbind. One request at a time per
 * connection, each bounded by the timeout, so a directory that hangs costs a sign-in a few
 * seconds, never the worker.
 */

/** The directory could not be reached or answered nonsense: other sign-in methods go on working. */
export class LdapUnavailable extends Error {
  override readonly name = "LdapUnavailable";
}

export interface LdapTarget {
  /** ldap://host:port or ldaps://host:port */
  url: string;
  /** StartTLS on an ldap:// URL before anything else is sent. */
  startTls: boolean;
  timeoutMs: number;
}

export interface LdapConnection {
  /** The bind's result code: 0 success, 49 invalid credentials (RFC 4511 Appendix A). */
  bind(dn: string, password: string): Promise<LdapResult>;
  /** Every entry of the search; with pageSize, fetched in RFC 2696 pages. */
  search(options: Omit<SearchOptions, "page">, pageSize?: number): Promise<SearchEntry[]>;
  close(): Promise<void>;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LdapUnavailable(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => { if (timer !== null) clearTimeout(timer); });
}

/** Reads whole LDAPMessages off a byte stream. */
class MessageReader {
  private buffer = new Uint8Array(0);
  constructor(private reader: ReadableStreamDefaultReader<Uint8Array>) {}

  async next(): Promise<Message> {
    for (;;) {
      const length = completeLength(this.buffer);
      if (length !== null) {
        const message = parseMessage(this.buffer.subarray(0, length));
        this.buffer = this.buffer.slice(length);
        return message;
      }
      const { value, done } = await this.reader.read();
      if (done) throw new LdapUnavailable("the directory closed the connection");
      this.buffer = concat([this.buffer, value]);
    }
  }

  release(): void {
    this.reader.releaseLock();
  }
}

function endpoint(url: string): { hostname: string; port: number; ldaps: boolean } {
  const parsed = new URL(url);
  const ldaps = parsed.protocol === "ldaps:";
  return { hostname: parsed.hostname, port: Number(parsed.port || (ldaps ? 636 : 389)), ldaps };
}

export async function openLdap(target: LdapTarget): Promise<LdapConnection> {
  const { hostname, port, ldaps } = endpoint(target.url);
  let socket: Socket;
  try {
    socket = connect({ hostname, port }, { secureTransport: ldaps ? "on" : target.startTls ? "starttls" : "off", allowHalfOpen: false });
    await withTimeout(socket.opened, target.timeoutMs, "connecting to the directory");
  } catch (error) {
    throw error instanceof LdapUnavailable ? error : new LdapUnavailable(`connecting to the directory: ${(error as Error).message}`);
  }
  let writer = socket.writable.getWriter();
  let reader = new MessageReader(socket.readable.getReader());
  let nextId = 1;

  const exchange = async (build: (id: number) => Uint8Array, until: (m: Message) => boolean, onMessage: (m: Message) => void = () => {}) => {
    const id = nextId++;
    const run = async () => {
      await writer.write(build(id));
      for (;;) {
        const message = await reader.next();
        if (message.id !== id) continue;
        onMessage(message);
        if (until(message)) return message;
      }
    };
    try {
      return await withTimeout(run(), target.timeoutMs, "the directory");
    } catch (error) {
      if (error instanceof LdapUnavailable) throw error;
      throw new LdapUnavailable(`the directory: ${(error as Error).message}`);
    }
  };

  if (target.startTls && !ldaps) {
    try {
      const answer = await exchange(startTlsRequest, (m) => m.op.tag === OP.extendedResponse);
      const result = parseResult(answer.op);
      if (result.code !== RESULT.success) throw new LdapUnavailable(`StartTLS refused (${result.code}): ${result.diagnostic}`);
      writer.releaseLock();
      reader.release();
      socket = socket.startTls();
      writer = socket.writable.getWriter();
      reader = new MessageReader(socket.readable.getReader());
    } catch (error) {
      // Never fall back to plain text: without TLS nothing is sent, and the socket is closed.
      await socket.close().catch(() => {});
      throw error instanceof LdapUnavailable ? error : new LdapUnavailable(`StartTLS: ${(error as Error).message}`);
    }
  }

  return {
    async bind(dn, password) {
      const answer = await exchange((id) => bindRequest(id, dn, password), (m) => m.op.tag === OP.bindResponse);
      return parseResult(answer.op);
    },
    async search(options, pageSize) {
      const entries: SearchEntry[] = [];
      let cookie: Uint8Array | null = new Uint8Array(0);
      while (cookie !== null) {
        const page = pageSize ? { size: pageSize, cookie } : undefined;
        const done = await exchange(
          (id) => searchRequest(id, { ...options, ...(page ? { page } : {}) }),
          (m) => m.op.tag === OP.searchDone,
          (m) => {
            if (m.op.tag === OP.searchEntry) entries.push(parseEntry(m.op));
          },
        );
        const result = parseResult(done.op);
        if (result.code === RESULT.noSuchObject) return entries;
        if (result.code !== RESULT.success && result.code !== RESULT.sizeLimitExceeded) throw new LdapUnavailable(`search refused (${result.code}): ${result.diagnostic}`);
        const next = pageSize ? nextPageCookie(done.controls) : new Uint8Array(0);
        cookie = next.length > 0 ? next : null;
      }
      return entries;
    },
    async close() {
      try {
        await writer.write(unbindRequest(nextId++));
      } catch {
        // Already gone: closing is all that is left to do.
      }
      await socket.close().catch(() => {});
    },
  };
}
