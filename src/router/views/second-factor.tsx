import { CodeField, Layout, messageOf, textOf, type PageSecurity } from "./layout";

/** Two-factor sign-in's pages in the authorization flow: the code form, and "set it up first". */

export function SecondFactorPage(props: { security: PageSecurity; clientName: string; pending: string; error: string | null }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("mfa.title")} security={props.security}>
      <h1>{t("mfa.heading")}</h1>
      <p class="muted">{t("login.to_continue", { client: props.clientName })}</p>
      <p>{t("mfa.explain")}</p>
      {props.error ? (
        <p class="error" role="alert" id="second-factor-error">
          {messageOf(props.security, props.error)}
        </p>
      ) : null}
      {/* Top-level, like /login: the consent page that may follow posts to the relative "consent". */}
      <form method="post" action="/second-factor">
        <input type="hidden" name="pending" value={props.pending} />
        <CodeField label={t("mfa.code")} />
        <button type="submit">{t("mfa.verify")}</button>
      </form>
    </Layout>
  );
}

/** "Set up a second factor first" — after sign-in (mfa.enrol_text) or on an approval page (mfa.page_enrol_text). */
export function EnrolFirstPage(props: { security: PageSecurity; clientName: string; text?: "mfa.enrol_text" | "mfa.page_enrol_text" }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("mfa.enrol_title")} security={props.security}>
      <h1>{t("mfa.enrol_title")}</h1>
      <p id="enrol-first">{t(props.text ?? "mfa.enrol_text", { client: props.clientName })}</p>
      <p>
        <a id="enrol-link" href="/account">
          {t("mfa.enrol_link")}
        </a>
      </p>
    </Layout>
  );
}
