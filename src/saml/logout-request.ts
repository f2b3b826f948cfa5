import { XMLSerializer } from "./vendor/xmldom.js";
import { ISSUE_INSTANT_FUTURE_MS, ISSUE_INSTANT_PAST_MS } from "./authn-request";
import { children, NS, parseXml, rootOf, SamlInputError, textOf } from "./xml";

const XS_ID = /^[A-Za-z_][\w.-]{0,255}$/;

/** A LogoutRequest (SAML Core §3.7.1) from an SP. */
export interface LogoutRequest {
  id: string;
  issuer: string;
  issueInstant: number;
  destination: string | null;
  nameId: string | null;
  sessionIndexes: string[];
  signature: string | null;
  xml: string;
}

export function readLogoutRequest(xml: string): LogoutRequest {
  const root = rootOf(parseXml(xml), NS.protocol, "LogoutRequest");
  const id = root.getAttribute("ID") ?? "";
  if (!XS_ID.test(id)) throw new SamlInputError("the LogoutRequest has no valid ID");
  if (root.getAttribute("Version") !== "2.0") throw new SamlInputError("only SAML 2.0 requests are accepted (Version)");
  const issueInstant = Date.parse(root.getAttribute("IssueInstant") ?? "");
  if (!Number.isFinite(issueInstant)) throw new SamlInputError("the LogoutRequest has no valid IssueInstant");
  const now = Date.now();
  if (issueInstant < now - ISSUE_INSTANT_PAST_MS || issueInstant > now + ISSUE_INSTANT_FUTURE_MS) throw new SamlInputError("the LogoutRequest's IssueInstant is too old or in the future");
  const issuers = children(root, NS.assertion, "Issuer");
  const issuer = issuers.length === 1 ? textOf(issuers[0]!) : null;
  if (!issuer) throw new SamlInputError("the LogoutRequest must name its SP in one Issuer element");
  const nameIds = children(root, NS.assertion, "NameID");
  const signatures = children(root, NS.dsig, "Signature");
  if (signatures.length > 1) throw new SamlInputError("more than one Signature");
  return {
    id,
    issuer,
    issueInstant,
    destination: root.getAttribute("Destination") || null,
    nameId: nameIds.length === 1 ? textOf(nameIds[0]!) : null,
    sessionIndexes: children(root, NS.protocol, "SessionIndex").map((el) => textOf(el) ?? ""),
    signature: signatures[0] ? new XMLSerializer().serializeToString(signatures[0]) : null,
    xml,
  };
}
