import { describe, it, expect } from "vitest";
import { BUCKET_COUNT, bucketOf, fnv1a32, isBucket, newUserId } from "../../src/shard";

/** Independent FNV-1a 32 over raw bytes, in BigInt so it shares no code path with fnv1a32. */
function referenceFnv1a32(bytes: readonly number[]): number {
  let hash = 0x811c9dc5n;
  for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * 0x01000193n) & 0xffffffffn;
  return Number(hash);
}

describe("fnv1a32", () => {
  // Published FNV-1a 32-bit test vectors (Landon Curt Noll's FNV test suite).
  // The hash routes every user to a bucket forever: if any of these change, every
  // existing user would be re-homed.
  const vectors: Array<[string, number]> = [
    ["", 0x811c9dc5],
    ["a", 0xe40c292c],
    ["b", 0xe70c2de5],
    ["c", 0xe60c2c52],
    ["fo", 0x6222e842],
    ["foo", 0xa9f37ed7],
    ["foob", 0x3f5076ef],
    ["fooba", 0x39aaa18a],
    ["foobar", 0xbf9cf968],
  ];
  for (const [input, expected] of vectors) {
    it(`fnv1a32(${JSON.stringify(input)}) === 0x${expected.toString(16)}`, () => {
      expect(fnv1a32(input)).toBe(expected);
    });
  }

  it("returns an unsigned 32-bit integer", () => {
    for (const input of ["", "a", "foobar", "zzzzzzzzzzzzzzzzzzzzzz", newUserId()]) {
      const h = fnv1a32(input);
      expect(Number.isInteger(h)).toBe(true);
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThanOrEqual(0xffffffff);
    }
    // 0xbf9cf968 has the top bit set: a signed result would be negative.
    expect(fnv1a32("foobar")).toBeGreaterThan(0x7fffffff);
  });

  it("hashes the UTF-8 bytes, not UTF-16 code units", () => {
    // "é" is U+00E9 = UTF-8 C3 A9; "😀" is U+1F600 = UTF-8 F0 9F 98 80 (one surrogate pair in UTF-16).
    expect(fnv1a32("é")).toBe(referenceFnv1a32([0xc3, 0xa9]));
    expect(fnv1a32("é")).not.toBe(referenceFnv1a32([0xe9]));
    expect(fnv1a32("\u{1F600}")).toBe(referenceFnv1a32([0xf0, 0x9f, 0x98, 0x80]));
    expect(fnv1a32("a\u{1F600}b")).toBe(referenceFnv1a32([0x61, 0xf0, 0x9f, 0x98, 0x80, 0x62]));
  });

  it("agrees with an independent reference on random ASCII ids", () => {
    for (let i = 0; i < 200; i++) {
      const id = newUserId();
      expect(fnv1a32(id)).toBe(referenceFnv1a32([...id].map((ch) => ch.charCodeAt(0))));
    }
  });
});

describe("bucketOf", () => {
  it("is BUCKET_COUNT = 4096", () => {
    expect(BUCKET_COUNT).toBe(4096);
  });

  it("is the FNV-1a hash modulo 4096 (its low 12 bits)", () => {
    expect(bucketOf("a")).toBe(0xe40c292c % 4096);
    expect(bucketOf("a")).toBe(0x92c);
    expect(bucketOf("foobar")).toBe(0x968);
    expect(bucketOf("foo")).toBe(0xed7);
  });

  it("is deterministic", () => {
    for (let i = 0; i < 100; i++) {
      const id = newUserId();
      const copy = id.split("").join("");
      expect(bucketOf(copy)).toBe(bucketOf(id));
      expect(bucketOf(id)).toBe(fnv1a32(id) % BUCKET_COUNT);
    }
  });

  it("always lands in [0, 4096) as an integer", () => {
    for (let i = 0; i < 5000; i++) {
      const b = bucketOf(newUserId());
      expect(isBucket(b)).toBe(true);
    }
    expect(bucketOf("foobar")).toBeLessThan(BUCKET_COUNT);
  });

  it("throws TypeError on an empty or non-string id", () => {
    const bad: unknown[] = ["", undefined, null, 42, 0, {}, [], ["a"], new String("a"), Symbol("a")];
    for (const value of bad) {
      expect(() => bucketOf(value as string)).toThrow(TypeError);
    }
    // A single space is a non-empty string and is accepted.
    expect(() => bucketOf(" ")).not.toThrow();
  });
});

describe("isBucket", () => {
  it("accepts integers in [0, 4096) and nothing else", () => {
    for (const ok of [0, 1, 2048, 4095]) expect(isBucket(ok)).toBe(true);
    for (const no of [-1, 4096, 1.5, Number.NaN, Infinity, -0.5, "1", null, undefined, 1n]) {
      expect(isBucket(no)).toBe(false);
    }
  });
});

describe("newUserId", () => {
  it("gives 22-character base64url ids with no padding", () => {
    for (let i = 0; i < 1000; i++) {
      const id = newUserId();
      expect(id).toHaveLength(22);
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    }
  });

  it("encodes 128 bits: the last character carries only 2 bits", () => {
    // 16 bytes = 128 bits = 21 full sextets + 2 bits, so the 22nd char is one of A, Q, g, w.
    for (let i = 0; i < 200; i++) expect(newUserId().at(-1)).toMatch(/^[AQgw]$/);
  });

  it("does not repeat", () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newUserId()));
    expect(ids.size).toBe(10_000);
  });
});

interface Spread {
  min: number;
  max: number;
  chiSquare: number;
  emptyBuckets: number;
}

function spreadOf(counts: Uint32Array, total: number): Spread {
  const expected = total / counts.length;
  let min = Infinity;
  let max = -Infinity;
  let chiSquare = 0;
  let emptyBuckets = 0;
  for (const c of counts) {
    min = Math.min(min, c);
    max = Math.max(max, c);
    chiSquare += (c - expected) ** 2 / expected;
    if (c === 0) emptyBuckets++;
  }
  return { min, max, chiSquare, emptyBuckets };
}

describe("bucket spread over random user ids", () => {
  // 1,000,000 ids over 4096 buckets. For a fair hash each bucket's count is
  // Binomial(n = 1e6, p = 1/4096): mean n*p = 244.14, sd = sqrt(n*p*(1-p)) ≈ 15.62.
  //
  // Per-bucket bound: mean ± 7 sd, i.e. [134.8, 353.5] → counts 135..353.
  // Exact binomial tails: P(X >= 354) ≈ 2.6e-11, P(X <= 134) ≈ 9e-15 (the binomial
  // is right-skewed, so the upper tail is fatter than the normal 1.3e-12). Union
  // bound over 4096 buckets: P(a fair hash fails) ≈ 1.1e-7, about 1 run in 9 million.
  //
  // Chi-square: sum over buckets of (count - mean)^2 / mean follows chi-square with
  // df = 4095 for a fair hash: mean 4095, sd = sqrt(2*4095) ≈ 90.5. Bound:
  // 4095 + 6*90.5 = 4638. By the Wilson–Hilferty approximation that is z ≈ 5.76,
  // P(a fair hash exceeds it) ≈ 4e-9.
  //
  // A broken hash fails decisively: one that reads only the first 2 characters of
  // the id (12 bits → ≤ 4096 distinct inputs, many colliding) leaves buckets empty
  // and piles ~500+ ids into others; a weak additive hash only reaches ~1700 buckets.
  const N = 1_000_000;
  const EXPECTED = N / BUCKET_COUNT;
  const SD = Math.sqrt(N * (1 / BUCKET_COUNT) * (1 - 1 / BUCKET_COUNT));
  const LOW = EXPECTED - 7 * SD;
  const HIGH = EXPECTED + 7 * SD;
  const CHI_SQUARE_BOUND = 4095 + 6 * Math.sqrt(2 * 4095);

  const passes = (s: Spread) => s.min >= LOW && s.max <= HIGH && s.chiSquare < CHI_SQUARE_BOUND;

  it(
    "puts every bucket within mean ± 7 sd and keeps chi-square under its bound",
    () => {
      expect(SD).toBeCloseTo(15.62, 2);
      expect(CHI_SQUARE_BOUND).toBeCloseTo(4638, 0);

      const counts = new Uint32Array(BUCKET_COUNT);
      // Two deliberately broken hashes, fed the same ids, show the check has teeth.
      const prefixOnly = new Uint32Array(BUCKET_COUNT);
      const additive = new Uint32Array(BUCKET_COUNT);
      for (let i = 0; i < N; i++) {
        const id = newUserId();
        counts[bucketOf(id)]!++;
        prefixOnly[bucketOf(id.slice(0, 2))]!++;
        let sum = 0;
        for (let k = 0; k < id.length; k++) sum += id.charCodeAt(k);
        additive[sum % BUCKET_COUNT]!++;
      }

      const fair = spreadOf(counts, N);
      console.log(
        `bucket spread: n=${N} buckets=${BUCKET_COUNT} expected=${EXPECTED.toFixed(2)} ` +
          `min=${fair.min} max=${fair.max} chiSquare=${fair.chiSquare.toFixed(1)} ` +
          `(bounds ${LOW.toFixed(1)}..${HIGH.toFixed(1)}, chiSquare < ${CHI_SQUARE_BOUND.toFixed(1)})`,
      );

      expect(counts.reduce((a, b) => a + b, 0)).toBe(N);
      expect(fair.min).toBeGreaterThanOrEqual(LOW);
      expect(fair.max).toBeLessThanOrEqual(HIGH);
      expect(fair.chiSquare).toBeLessThan(CHI_SQUARE_BOUND);
      expect(passes(fair)).toBe(true);

      const broken1 = spreadOf(prefixOnly, N);
      const broken2 = spreadOf(additive, N);
      expect(passes(broken1)).toBe(false);
      expect(broken1.emptyBuckets).toBeGreaterThan(0);
      expect(passes(broken2)).toBe(false);
      expect(broken2.emptyBuckets).toBeGreaterThan(1000);
    },
    60_000,
  );
});
