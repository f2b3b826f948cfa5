import type { Row, TablePage, Value } from "./api";

/**
 * A bucket's backup object: gzip-compressed NDJSON, readable with `gunzip | jq`.
 * The first line is a header (format, backup, bucket, when the rows were read, and
 * every table's columns in export order); each further line is one row,
 * `{"t": table, "r": [values in column order]}`. Rows are what the bucket mover's
 * generic export yields, so a table added to the registry is backed up without code
 * here. Blobs (none today) are written as {"$blob": base64}.
 */
export const BUCKET_FILE_FORMAT = "authshard-bucket/1";

export interface BucketFileHeader {
  format: typeof BUCKET_FILE_FORMAT;
  backup_id: string;
  bucket: number;
  taken_at: number;
  tables: Record<string, string[]>;
}

/** Lines are handed to the compressor in batches of about this many characters. */
const CHUNK_CHARS = 256 * 1024;
const utf8 = new TextEncoder();

export async function encodeBucketFile(header: BucketFileHeader, pages: readonly TablePage[]): Promise<Uint8Array> {
  const gzip = new CompressionStream("gzip");
  const compressed = new Response(gzip.readable).arrayBuffer();
  const writer = gzip.writable.getWriter();
  let chunk = `${JSON.stringify(header)}\n`;
  for (const page of pages) {
    for (const row of page.rows) {
      chunk += `${JSON.stringify({ t: page.table, r: row.map(encodeValue) })}\n`;
      if (chunk.length >= CHUNK_CHARS) {
        await writer.write(utf8.encode(chunk));
        chunk = "";
      }
    }
  }
  await writer.write(utf8.encode(chunk));
  await writer.close();
  return new Uint8Array(await compressed);
}

/** The header and the rows as pages (one per table, in file order), or why the object cannot be read. */
export async function decodeBucketFile(bytes: Uint8Array): Promise<{ header: BucketFileHeader; pages: TablePage[] } | string> {
  let text: string;
  try {
    const plain = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    text = await new Response(plain).text();
  } catch {
    return "the object is not gzip";
  }
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const header = parseLine(lines[0] ?? "") as Partial<BucketFileHeader> | null;
  if (!header || header.format !== BUCKET_FILE_FORMAT || !Number.isInteger(header.bucket) || !header.tables || typeof header.tables !== "object") {
    return `the object does not start with a ${BUCKET_FILE_FORMAT} header`;
  }
  const pages = new Map<string, TablePage>();
  for (let i = 1; i < lines.length; i++) {
    const line = parseLine(lines[i]!) as { t?: unknown; r?: unknown } | null;
    const columns = typeof line?.t === "string" ? header.tables[line.t] : undefined;
    if (!line || !columns || !Array.isArray(line.r)) return `line ${i + 1} of the object is not a row of a table the header names`;
    const row = line.r.map(decodeValue);
    if (row.includes(undefined)) return `line ${i + 1} of the object holds a value SQLite cannot store`;
    const page = pages.get(line.t as string) ?? { table: line.t as string, columns, rows: [] };
    pages.set(page.table, page);
    page.rows.push(row as Row);
  }
  return { header: header as BucketFileHeader, pages: [...pages.values()] };
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

function encodeValue(value: Value): unknown {
  if (value instanceof ArrayBuffer) return { $blob: btoa(String.fromCharCode(...new Uint8Array(value))) };
  return value;
}

/** A stored value back, or undefined for anything a row cannot hold. */
function decodeValue(value: unknown): Value | undefined {
  if (value === null || typeof value === "string" || (typeof value === "number" && Number.isFinite(value))) return value;
  const blob = (value as { $blob?: unknown } | null)?.$blob;
  if (typeof blob !== "string") return undefined;
  try {
    return Uint8Array.from(atob(blob), (c) => c.charCodeAt(0)).buffer;
  } catch {
    return undefined;
  }
}
