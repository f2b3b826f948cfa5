import type { Context, ErrorHandler } from "hono";
import { checkFormCsrf, formCsrfValue, securedPage } from "../pages/form-csrf";
import { OAuthError } from "../errors";
import { formParams, type Params } from "../http/params";
import { toOAuthError } from "../on-error";
import { ErrorPage } from "../views/pages";
import type { ConsoleEnv } from "./guard";
import type { ConsoleFrame } from "./views/frame";

/** The frame of a console page: its CSP (securedPage), the browser's CSRF value, the operator. */
export async function frameOf(c: Context<ConsoleEnv>, extra: Partial<Pick<ConsoleFrame, "notice" | "error" | "refreshS">> = {}): Promise<ConsoleFrame> {
  return { security: await securedPage(c), csrf: await formCsrfValue(c, c.var.config), operator: c.var.operator, ...extra };
}

/**
 * A console form: parsed, and refused with 403 unless it carries this browser's CSRF
 * value (form-csrf.ts's double submit) — before anything is read or changed.
 */
export async function consoleForm(c: Context<ConsoleEnv>): Promise<Params> {
  const form = await formParams(c);
  try {
    await checkFormCsrf(c, c.var.config, form, "open the console page again");
  } catch (error) {
    throw new OAuthError("access_denied", 403, error instanceof OAuthError ? error.description : "the form's CSRF value is missing");
  }
  return form;
}

/** Errors of the console are pages for the operator (never a stack trace); 5xx details go to the log only. */
export const consoleOnError: ErrorHandler = async (error, c) => {
  const oauth = toOAuthError(error);
  if (oauth.status >= 500) console.error(`${c.req.method} ${new URL(c.req.url).pathname} -> ${oauth.code}`, oauth.detail ?? "");
  for (const [name, value] of Object.entries(oauth.headers)) c.header(name, value);
  const title = oauth.status === 403 ? "Not allowed" : oauth.status === 404 ? "Not found" : oauth.status >= 500 ? "Something went wrong" : "This request is not valid";
  return c.html(<ErrorPage security={await securedPage(c)} title={title} message={oauth.description} />, oauth.status as 400);
};
