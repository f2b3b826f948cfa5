import { CredentialFields, DecisionButtons, ScopeList } from "./pages";
import { Layout, messageOf, textOf, type PageSecurity } from "./layout";
import type { CibaPending } from "../../actors/user-shard/api";

/** CIBA's pages (CIBA Core §8: the OP authenticates the user and asks for consent): sign in, approve; no JavaScript. */

interface FormBase {
  security: PageSecurity;
  /** The CSRF form value bound to this browser's CSRF cookie. */
  csrf: string;
  /** `<bucket>.<request id>` of the approval link. */
  request: string;
}

function ErrorLine(props: { error: string | null; security: PageSecurity }) {
  return props.error ? (
    <p class="error" role="alert" id="ciba-error">
      {messageOf(props.security, props.error)}
    </p>
  ) : null;
}

export function CibaLoginPage(props: FormBase & { clientName: string; email: string; error: string | null }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("login.title")} security={props.security}>
      <h1>{t("login.title")}</h1>
      <p class="muted">{t("ciba.confirm_sign_in", { client: props.clientName })}</p>
      <ErrorLine error={props.error} security={props.security} />
      <form method="post" action="/ciba">
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="request" value={props.request} />
        <input type="hidden" name="step" value="login" />
        <CredentialFields email={props.email} security={props.security} />
      </form>
    </Layout>
  );
}

export function CibaApprovePage(props: FormBase & { clientName: string; email: string; scopes: string[]; bindingMessage: string | null }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("ciba.title")} security={props.security}>
      <h1>{t("ciba.heading", { client: props.clientName })}</h1>
      <ScopeList scopes={props.scopes} security={props.security} />
      {props.bindingMessage ? (
        <p>
          {t("ciba.binding")} <strong id="binding-message">{props.bindingMessage}</strong>
        </p>
      ) : null}
      <p class="muted">{t("consent.signed_in_as", { email: props.email })}</p>
      <form method="post" action="/ciba">
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="request" value={props.request} />
        <DecisionButtons security={props.security} />
      </form>
    </Layout>
  );
}

export function CibaDonePage(props: { security: PageSecurity; approved: boolean }) {
  const t = textOf(props.security);
  const title = t(props.approved ? "ciba.confirmed" : "ciba.denied");
  return (
    <Layout title={title} security={props.security}>
      <h1>{title}</h1>
      <p role="status">{t(props.approved ? "ciba.confirmed_text" : "ciba.denied_text")}</p>
    </Layout>
  );
}

/** /dev/ciba (local development only): pending requests with their approval links. */
export function CibaDevListing(props: { security: PageSecurity; requests: Array<CibaPending & { link: string }> }) {
  return (
    <Layout title="Pending CIBA requests" security={props.security}>
      <h1>Pending CIBA requests</h1>
      <p class="muted">Local development only: what the authentication device would be sent.</p>
      {props.requests.length === 0 ? <p>None.</p> : null}
      <ul>
        {props.requests.map((r) => (
          <li>
            user {r.userId} · client {r.clientId} · {r.scope}
            {r.bindingMessage ? ` · “${r.bindingMessage}”` : ""} · <a href={r.link}>approve or deny</a>
          </li>
        ))}
      </ul>
    </Layout>
  );
}
