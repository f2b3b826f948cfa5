import { CLAIMS_BY_SCOPE } from "./scopes";
import { ACR_MFA } from "./acr";

/**
 * The `claims` request parameter (OIDC Core §5.5), reduced to what this provider
 * acts on: the names of the user claims asked for in each place. Unknown claims are
 * dropped (§5.5: "Claims that are not understood ... MUST be ignored"); `value` and
 * `values` on user claims are accepted and ignored (§5.5.1 makes them a request the
 * provider may not be able to meet); `acr` is checked once, at /authorize.
 */
export interface RequestedClaims {
  userinfo: readonly string[];
  id_token: readonly string[];
  /** §5.5.1: `sub` asked for with a value in the id_token member: only that user may be signed in. Not stored. */
  sub?: string;
}

/** Far beyond any honest request for this provider's dozen claims (under the 4096 of any parameter, so PAR bodies get the same bound). */
export const MAX_CLAIMS_PARAMETER_LENGTH = 2048;

/** The acr values sign-in here produces: password ("1"), password plus a second factor (src/oauth/acr.ts). */
export const ACR_SUPPORTED = ["1", ACR_MFA] as const;

/** The user claims a client can ask for one by one, and the scope whose consent covers each. */
const SCOPE_OF_CLAIM: ReadonlyMap<string, string> = new Map(
  Object.entries(CLAIMS_BY_SCOPE).flatMap(([scope, claims]) => claims.map((claim) => [claim, scope] as const)),
);

export type ClaimsParse =
  | { ok: true; claims: RequestedClaims; acr: { essential: boolean; values: string[] } | null }
  | { ok: false; description: string };

const refuse = (description: string): ClaimsParse => ({ ok: false, description });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** §5.5.1: each member is null or an object whose essential is a boolean and values an array. */
function requestShapeProblem(name: string, request: unknown): string | null {
  if (request === null) return null;
  if (!isObject(request)) return `claims: ${name} must be null or an object`;
  if (request.essential !== undefined && typeof request.essential !== "boolean") return `claims: ${name}.essential must be a boolean`;
  if (request.values !== undefined && !Array.isArray(request.values)) return `claims: ${name}.values must be an array`;
  if (request.value !== undefined && request.values !== undefined) return `claims: ${name} cannot have both value and values`;
  return null;
}

/** §5.5.1.1: acr values are strings; `value` counts as a one-element `values`. */
function acrOf(request: unknown): { essential: boolean; values: string[] } | null | string {
  if (request === null || request === undefined) return null;
  const r = request as { essential?: boolean; value?: unknown; values?: unknown[] };
  const values = r.value !== undefined ? [r.value] : (r.values ?? []);
  if (values.some((v) => typeof v !== "string")) return "claims: acr value(s) must be strings";
  return { essential: r.essential === true, values: values as string[] };
}

/** Parses a present claims parameter; a description of the first problem otherwise. */
export function parseClaimsParameter(raw: string): ClaimsParse {
  if (raw.length > MAX_CLAIMS_PARAMETER_LENGTH) return refuse(`claims must be at most ${MAX_CLAIMS_PARAMETER_LENGTH} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return refuse("claims must be a JSON object (OpenID Connect Core §5.5)");
  }
  if (!isObject(parsed)) return refuse("claims must be a JSON object (OpenID Connect Core §5.5)");
  const claims: { userinfo: string[]; id_token: string[] } = { userinfo: [], id_token: [] };
  let acr: { essential: boolean; values: string[] } | null = null;
  let subject: string | undefined;
  for (const member of ["userinfo", "id_token"] as const) {
    const requests = parsed[member];
    if (requests === undefined || requests === null) continue;
    if (!isObject(requests)) return refuse(`claims: ${member} must be a JSON object`);
    for (const [name, request] of Object.entries(requests)) {
      const problem = requestShapeProblem(`${member}.${name}`, request);
      if (problem) return refuse(problem);
      if (SCOPE_OF_CLAIM.has(name)) claims[member].push(name);
      if (name === "sub" && member === "id_token" && request !== null) {
        const value = (request as { value?: unknown }).value;
        if (value !== undefined && typeof value !== "string") return refuse("claims: id_token.sub.value must be a string");
        if (typeof value === "string") subject = value;
      }
      if (name === "acr") {
        const found = acrOf(request);
        if (typeof found === "string") return refuse(found);
        // The stricter of the two places wins: essential anywhere is essential.
        if (found && (!acr || found.essential)) acr = found;
      }
    }
  }
  return { ok: true, claims: subject === undefined ? claims : { ...claims, sub: subject }, acr };
}

/** Whether an acr request can be met by the sign-in this provider does (§5.5.1.1). */
export function acrSatisfiable(acr: { essential: boolean; values: string[] } | null): boolean {
  if (!acr || !acr.essential || acr.values.length === 0) return true;
  return acr.values.some((v) => (ACR_SUPPORTED as readonly string[]).includes(v));
}

/** The scopes whose consent covers the claims asked for, so the consent page can name them. */
export function scopesForClaims(claims: RequestedClaims | null): string[] {
  if (!claims) return [];
  return [...new Set([...claims.userinfo, ...claims.id_token].map((c) => SCOPE_OF_CLAIM.get(c)!))];
}

/** Stored form in the code and the grant (compact JSON), null when nothing was asked. */
export function storedClaims(claims: RequestedClaims | null): string | null {
  if (!claims || (claims.userinfo.length === 0 && claims.id_token.length === 0)) return null;
  return JSON.stringify({ userinfo: claims.userinfo, id_token: claims.id_token });
}

/** Reads what storedClaims wrote (provider-written, so trusted); anything else reads as no request. */
export function readStoredClaims(value: string | null | undefined): RequestedClaims | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(value) as RequestedClaims;
    return Array.isArray(parsed.userinfo) && Array.isArray(parsed.id_token) ? parsed : null;
  } catch {
    return null;
  }
}
