import { Hono } from "hono/tiny";
import { LOGO_NAME } from "../../branding/brand";
import type { AppEnv } from "../types";

/**
 * Logos: uploaded by an operator (POST /admin/branding/logos), stored in R2 (BRANDING)
 * under the SHA-256 of their bytes, and served from this origin, so the pages' CSP
 * allows images from 'self' only and no page hot-links anything.
 *
 * Raster images only (PNG, JPEG, WebP), recognised by their signature bytes, not by the
 * declared type. SVG is refused: it is a document that can carry script and links, and
 * sanitising it well needs a parser this worker does not carry.
 */
export const MAX_LOGO_BYTES = 60 * 1024;

export const LOGO_TYPES = { png: "image/png", jpg: "image/jpeg", webp: "image/webp" } as const;
export type LogoExtension = keyof typeof LOGO_TYPES;

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0) => prefix.every((b, i) => bytes[at + i] === b);

/** The image format the bytes are, by signature; null for anything else (SVG, GIF, HTML, ...). */
export function imageFormatOf(bytes: Uint8Array): LogoExtension | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "jpg";
  // RIFF....WEBP
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return "webp";
  return null;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Stores the logo under its content name (idempotent: the same bytes are the same object) and returns the name. */
export async function storeLogo(bucket: R2Bucket, bytes: Uint8Array, format: LogoExtension): Promise<string> {
  const name = `${await sha256Hex(bytes)}.${format}`;
  await bucket.put(name, bytes, { httpMetadata: { contentType: LOGO_TYPES[format], cacheControl: "public, max-age=31536000, immutable" } });
  return name;
}

export async function logoExists(bucket: R2Bucket, name: string): Promise<boolean> {
  return (await bucket.head(name)) !== null;
}

/**
 * GET /branding/<sha256>.<ext>: the content never changes under a name, so it is cached
 * for a year. Served as the image type its name says (checked at upload), nosniff, in a
 * sandbox, and only to this origin's pages (CORP same-origin): never a document.
 */
export const brandingAssets = new Hono<AppEnv>().get("/branding/:name", async (c) => {
  const name = c.req.param("name");
  const notFound = () => c.text("not found", 404, { "Cache-Control": "no-store" });
  if (!LOGO_NAME.test(name)) return notFound();
  const object = await c.env.BRANDING.get(name);
  if (object === null) return notFound();
  const format = name.slice(name.lastIndexOf(".") + 1) as LogoExtension;
  return c.body(object.body, 200, {
    "Content-Type": LOGO_TYPES[format],
    "Cache-Control": "public, max-age=31536000, immutable",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    ETag: `"${name.slice(0, 64)}"`,
  });
});
