import { PasskeyCapable } from "./passkeys";
import { CodeField, Layout, messageOf, textOf, type PageSecurity } from "./layout";

/** Email codes, magic links and password reset pages; no JavaScript. */

function ErrorLine(props: { error: string | null; security: PageSecurity }) {
  return props.error ? (
    <p class="error" role="alert" id="email-error">
      {messageOf(props.security, props.error)}
    </p>
  ) : null;
}

export function EmailCodePage(props: { security: PageSecurity; interaction: string; error: string | null }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("email.check_title")} security={props.security}>
      <h1>{t("email.check_title")}</h1>
      <p class="muted">{t("email.code_sent")}</p>
      <ErrorLine error={props.error} security={props.security} />
      <form method="post" action="/email-code">
        <input type="hidden" name="interaction" value={props.interaction} />
        <CodeField label={t("email.code")} />
        <button type="submit">{t("email.sign_in")}</button>
      </form>
    </Layout>
  );
}

export function ResetPage(props: { security: PageSecurity; interaction: string; error: string | null }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("email.reset_title")} security={props.security}>
      <h1>{t("email.reset_title")}</h1>
      <p class="muted">{t("email.reset_sent")}</p>
      <ErrorLine error={props.error} security={props.security} />
      <form method="post" action="/reset-password">
        <input type="hidden" name="interaction" value={props.interaction} />
        <CodeField label={t("email.code")} />
        <label for="password">{t("email.new_password")}</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength={8} />
        <button type="submit">{t("email.set_password")}</button>
      </form>
    </Layout>
  );
}

export function EmailMessagePage(props: { security: PageSecurity; title: string; message: string }) {
  return (
    <Layout title={props.title} security={props.security}>
      <h1>{props.title}</h1>
      <p id="email-message">{props.message}</p>
    </Layout>
  );
}

export function SignupPage(props: { security: PageSecurity; interaction: string; email: string; name: string; error: string | null }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("email.signup_title")} security={props.security}>
      <h1>{t("email.signup_title")}</h1>
      <ErrorLine error={props.error} security={props.security} />
      <form method="post" action="/signup">
        <input type="hidden" name="interaction" value={props.interaction} />
        <label for="email">{t("login.email")}</label>
        <input id="email" name="email" type="email" autocomplete="email" required value={props.email} autofocus />
        <label for="name">{t("email.name")}</label>
        <input id="name" name="name" type="text" autocomplete="name" value={props.name} />
        <label for="password">{t("login.password")}</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength={8} />
        <button type="submit">{t("email.continue")}</button>
      </form>
    </Layout>
  );
}

export function SignupCodePage(props: { security: PageSecurity; interaction: string; user: string; email: string; error: string | null }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("email.check_title")} security={props.security}>
      <h1>{t("email.check_title")}</h1>
      <p class="muted">{t("email.signup_sent", { email: props.email })}</p>
      <ErrorLine error={props.error} security={props.security} />
      <form method="post" action="/signup-code">
        <input type="hidden" name="interaction" value={props.interaction} />
        <input type="hidden" name="user" value={props.user} />
        <input type="hidden" name="email" value={props.email} />
        {/* Passkeys: a browser that can make one is offered it after the account is created. */}
        <PasskeyCapable security={props.security} />
        <CodeField label={t("email.code")} />
        <button type="submit">{t("email.create")}</button>
      </form>
    </Layout>
  );
}
