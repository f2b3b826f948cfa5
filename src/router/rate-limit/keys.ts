import { sha256 } from "../../oauth/secrets";

/**
 * The counter key of a request without CF-Connecting-IP, which Cloudflare sets on
 * every request from the internet (and `wrangler dev` on every request it serves):
 * the workerd tests, a caller inside Cloudflare that does not pass it on. All such
 * requests share this one counter rather than going uncounted.
 */
export const UNKNOWN_IP_KEY = "ip:unknown";

const HEX_GROUP = /^[0-9a-f]{1,4}$/;

/**
 * The /64 network of an IPv6 address ("2001:db8:0:1"), or null if `ip` is not one.
 * One subscriber usually holds a whole /64 and can use any address in it, so the
 * network, not the address, is what one person controls.
 */
function ipv6Network(ip: string): string | null {
  const halves = ip.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...Array<string>(missing).fill("0"), ...tail];
  if (!groups.every((g) => HEX_GROUP.test(g))) return null;
  return groups.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16)).join(":");
}

/**
 * What the per-address limits count: an IPv4 address as it is (also when IPv6
 * carries it, as in ::ffff:192.0.2.1), an IPv6 address by its /64 network,
 * anything else verbatim (then it is at least the same string every time).
 */
export function addressSubject(header: string): string {
  const ip = header.trim().toLowerCase();
  if (ip.includes(".")) return ip.slice(ip.lastIndexOf(":") + 1);
  return ip.includes(":") ? (ipv6Network(ip) ?? ip) : ip;
}

/**
 * The key a counter is kept under: SHA-256 of what it counts, so no client
 * address and no operator token is ever handed to the rate limiter as it is.
 * `per` keeps an address and a client id that happen to be equal apart.
 */
export function counterKey(per: string, subject: string): Promise<string> {
  return sha256(`${per}:${subject}`);
}

/** The key of the per-address limits for a request's CF-Connecting-IP header. */
export function addressKey(header: string | undefined): Promise<string> {
  if (header === undefined || header.trim() === "") return Promise.resolve(UNKNOWN_IP_KEY);
  return counterKey("ip", addressSubject(header));
}
