import { CredentialFields } from "./pages";
import { Layout, textOf, type PageSecurity } from "./layout";

/** The sign-in form for a SAML service provider (src/router/saml/sso.tsx): the password step, then the response. */
export function SamlLoginPage(props: { security: PageSecurity; csrf: string; pending: string; spName: string; email: string; error: string | null }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("login.title")} security={props.security}>
      <h1>{t("login.title")}</h1>
      <p class="muted">{t("login.to_continue", { client: props.spName })}</p>
      {props.error ? (
        <p class="error" role="alert" id="saml-error">
          {props.error}
        </p>
      ) : null}
      <form method="post" action="/saml/sign-in">
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="pending" value={props.pending} />
        <CredentialFields email={props.email} security={props.security} />
      </form>
    </Layout>
  );
}

/** After the SP's LogoutRequest: the session is over; shown only when the SP registered no SLO endpoint to answer. */
export function SamlSignedOutPage(props: { security: PageSecurity }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("logout.done_title")} security={props.security}>
      <h1>{t("logout.done_title")}</h1>
      <p role="status">{t("saml.signed_out")}</p>
    </Layout>
  );
}
