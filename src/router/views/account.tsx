import type { Child } from "hono/jsx";
import type { AccountOverview } from "../../actors/user-shard/api";
import { Layout, messageOf, textOf, type PageSecurity } from "./layout";
import { CredentialFields } from "./pages";
import { PasskeysSection } from "./passkeys";

/** The account page (GET /account): sections of forms, no JavaScript; every form carries the CSRF value. */

export interface AccountPageProps {
  security: PageSecurity;
  csrf: string;
  account: AccountOverview;
  notice: string | null;
  error: string | null;
  /** Shown once: right after enrolment or regeneration. */
  recoveryCodes: string[] | null;
  /** An enrolment waiting for its confirmation code: what the authenticator app scans or is typed. */
  enrolment: { uri: string; secret: string; qrSvg: string } | null;
}

function Form(props: { csrf: string; action: string; children?: Child; id?: string }) {
  return (
    <form method="post" action="/account" id={props.id}>
      <input type="hidden" name="csrf" value={props.csrf} />
      <input type="hidden" name="action" value={props.action} />
      {props.children}
    </form>
  );
}

function SessionsSection(props: AccountPageProps) {
  const t = textOf(props.security);
  const others = props.account.sessions.filter((s) => s.sid !== props.account.sid);
  return (
    <section id="sessions">
      <h2>{t("account.sessions")}</h2>
      <p class="muted">{props.account.sessions.length === 1 ? t("account.sessions_count_one") : t("account.sessions_count", { count: props.account.sessions.length })}</p>
      <ul>
        {props.account.sessions.map((s) => (
          <li>
            {t("account.session_since", { time: new Date(s.auth_time * 1000).toISOString(), methods: s.amr.join(", ") })}
            {s.sid === props.account.sid ? t("account.this_browser") : ""}
          </li>
        ))}
      </ul>
      {others.length > 0 ? (
        <Form csrf={props.csrf} action="end_other_sessions" id="end-others">
          <button type="submit">{t("account.end_others")}</button>
        </Form>
      ) : null}
    </section>
  );
}

function ConsentsSection(props: AccountPageProps) {
  const t = textOf(props.security);
  return (
    <section id="consents">
      <h2>{t("account.consents")}</h2>
      {props.account.consents.length === 0 ? <p class="muted">{t("account.none")}</p> : null}
      {props.account.consents.map((consent) => (
        <Form csrf={props.csrf} action="withdraw_consent">
          <input type="hidden" name="client_id" value={consent.client_id} />
          <p>
            {consent.client_id}: {consent.scope}
          </p>
          <button type="submit" class="secondary">
            {t("account.withdraw")}
          </button>
        </Form>
      ))}
    </section>
  );
}

/** Each form's own field (ids differ: the TOTP section can show two forms that ask for a code). */
function CodeField(props: { id?: string; security: PageSecurity }) {
  const id = props.id ?? "code";
  return (
    <>
      <label for={id}>{textOf(props.security)("account.code_label")}</label>
      <input id={id} name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required />
    </>
  );
}

function TotpSection(props: AccountPageProps) {
  const t = textOf(props.security);
  const { totp } = props.account;
  return (
    <section id="totp">
      <h2>{t("account.totp")}</h2>
      {props.recoveryCodes ? (
        <div id="recovery-codes">
          <p>{t("account.recovery_intro")}</p>
          <ul>
            {props.recoveryCodes.map((code) => (
              <li>
                <code>{code}</code>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {totp.enrolled ? (
        <>
          <p id="totp-status">{t("account.totp_on", { left: totp.recoveryCodesLeft })}</p>
          <Form csrf={props.csrf} action="regenerate_recovery_codes" id="regenerate-recovery-codes">
            <CodeField id="regenerate-code" security={props.security} />
            <button type="submit" class="secondary">{t("account.new_recovery")}</button>
          </Form>
          <Form csrf={props.csrf} action="disable_totp" id="disable-totp">
            <CodeField id="disable-code" security={props.security} />
            <button type="submit" class="secondary">{t("account.turn_off")}</button>
          </Form>
        </>
      ) : props.enrolment ? (
        <>
          <p>{t("account.scan")}</p>
          <div id="totp-qr" dangerouslySetInnerHTML={{ __html: props.enrolment.qrSvg }} />
          <p>
            {t("account.key")} <code id="totp-secret">{props.enrolment.secret}</code>
          </p>
          <p class="muted">
            <a id="totp-uri" href={props.enrolment.uri}>
              {t("account.open_app")}
            </a>
          </p>
          <Form csrf={props.csrf} action="confirm_totp" id="confirm-totp">
            <CodeField security={props.security} />
            <button type="submit">{t("account.turn_on")}</button>
          </Form>
        </>
      ) : (
        <>
          <p id="totp-status">{t("account.totp_off")}</p>
          <Form csrf={props.csrf} action="start_totp" id="start-totp">
            <button type="submit">{t("account.set_up")}</button>
          </Form>
        </>
      )}
    </section>
  );
}

/** Federation (src/router/federation/linking.tsx): the upstream identities linked to the account. */
function FederationSection(props: AccountPageProps) {
  const t = textOf(props.security);
  return (
    <section id="federation">
      <h2>{t("federation.title")}</h2>
      <p>
        <a href="/account/linked">{t("federation.account_link")}</a>
      </p>
    </section>
  );
}

/**
 * The page's sections, in order. Sign-in methods still to come (passkeys, email settings)
 * are added here as sections of their own.
 */
const SECTIONS: ReadonlyArray<(props: AccountPageProps) => Child> = [SessionsSection, ConsentsSection, TotpSection, PasskeysSection, FederationSection];

export function AccountPage(props: AccountPageProps) {
  const t = textOf(props.security);
  return (
    <Layout title={t("account.title")} security={props.security}>
      <h1>{t("account.title")}</h1>
      <p class="muted">{t("account.signed_in_as", { email: props.account.email })}</p>
      {props.notice ? <p id="account-notice">{messageOf(props.security, props.notice)}</p> : null}
      {props.error ? (
        <p class="error" role="alert" id="account-error">
          {messageOf(props.security, props.error)}
        </p>
      ) : null}
      {SECTIONS.map((Section) => Section(props))}
    </Layout>
  );
}

/** Not signed in: the login form (and, for an account with TOTP, the code form after it). */
export function AccountSignInPage(props: { security: PageSecurity; csrf: string; email: string; error: string | null; pending: string | null }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("login.title")} security={props.security}>
      <h1>{t("login.title")}</h1>
      <p class="muted">{t("account.to_manage")}</p>
      {props.error ? (
        <p class="error" role="alert" id="login-error">
          {messageOf(props.security, props.error)}
        </p>
      ) : null}
      {props.pending ? (
        <Form csrf={props.csrf} action="second_factor">
          <input type="hidden" name="pending" value={props.pending} />
          <p>{t("mfa.explain")}</p>
          <CodeField security={props.security} />
          <button type="submit">{t("mfa.verify")}</button>
        </Form>
      ) : (
        <Form csrf={props.csrf} action="sign_in">
          <CredentialFields email={props.email} security={props.security} />
        </Form>
      )}
    </Layout>
  );
}
