import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { admin } from "../endpoints/admin";
import { actAs } from "../endpoints/admin/operator";
import { OAuthError } from "../errors";
import { executionOf, withConfig } from "../lazy";
import { onError } from "../on-error";
import type { AppEnv } from "../types";
import type { ConsoleEnv } from "./guard";

/**
 * The console has no logic of its own for what it shows or changes: every read and every
 * change is a request to the operator API, made in-process on behalf of the signed-in
 * operator (so the API's validation, its errors, its read-only rule and its audit apply
 * unchanged). The request object itself carries the operator (operator.ts): nothing a
 * browser sends can.
 */
const operatorApi = new Hono<AppEnv>()
  .use("*", withConfig())
  .route("/admin", admin);
operatorApi.onError(onError);

export type ApiAnswer<T> = { ok: true; status: number; body: T } | { ok: false; status: number; error: string };

export async function callApi<T = Record<string, unknown>>(c: Context<ConsoleEnv>, method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const request = new Request(`${c.var.config.issuer}/admin${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const response = await operatorApi.fetch(actAs(request, c.var.operator), c.env, executionOf(c));
  const text = await response.text();
  const parsed = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
  if (response.ok) return { ok: true, status: response.status, body: parsed as T };
  const description = typeof parsed.error_description === "string" ? parsed.error_description : String(parsed.error ?? `HTTP ${response.status}`);
  return { ok: false, status: response.status, error: description };
}

/** A read the page cannot do without: its failure is the page's error. */
export async function mustGet<T>(c: Context<ConsoleEnv>, path: string): Promise<T> {
  const answer = await callApi<T>(c, "GET", path);
  if (!answer.ok) throw new OAuthError(answer.status === 404 ? "not_found" : "invalid_request", answer.status === 404 ? 404 : 400, answer.error);
  return answer.body;
}
