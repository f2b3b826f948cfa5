import type { Context } from "hono";
import en from "zod/v4/locales/en.js";
import * as z from "zod/mini";
import { OAuthError, invalidRequest } from "../../errors";

// zod/mini ships no messages by default; load the English ones only.
z.config(en());

/**
 * Reads a JSON body and validates it against `schema`. Wrong content type → 415,
 * unparsable JSON or a schema violation → 400 naming the field.
 */
export async function readJson<S extends z.ZodMiniType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = c.req.header("Content-Type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new OAuthError("invalid_request", 415, "Content-Type must be application/json");
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw invalidRequest("request body is not valid JSON");
  }
  const parsed = z.safeParse(schema, body);
  if (!parsed.success) throw invalidRequest(describeIssues(parsed.error));
  return parsed.data;
}

export function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}
