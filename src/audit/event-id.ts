/**
 * A UUIDv7 (RFC 9562 §5.7): 48 bits of milliseconds, then random bits. The outbox is
 * keyed by it, so its primary-key order is (nearly) time order and the flush needs no
 * index on `at`; D1 and the archive use it as the event's idempotency key.
 */
export function eventId(now: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let ms = now;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
