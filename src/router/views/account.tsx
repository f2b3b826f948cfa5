import type { Child } from "hono/jsx";
import type { AccountOverview } from "../../actors/user-shard/api";
import { Layout, type PageSecurity } from "./layout";
import { CredentialFields } from "./pages";

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
  const others = props.account.sessions.filter((s) => s.sid !== props.account.sid);
  return (
    <section id="sessions">
      <h2>Sessions</h2>
      <p class="muted">
        Signed in {props.account.sessions.length} time{props.account.sessions.length === 1 ? "" : "s"} (this browser included).
      </p>
      <ul>
        {props.account.sessions.map((s) => (
          <li>
            since {new Date(s.auth_time * 1000).toISOString()} ({s.amr.join(", ")}){s.sid === props.account.sid ? " — this browser" : ""}
          </li>
        ))}
      </ul>
      {others.length > 0 ? (
        <Form csrf={props.csrf} action="end_other_sessions" id="end-others">
          <button type="submit">Sign out everywhere else</button>
        </Form>
      ) : null}
    </section>
  );
}

function ConsentsSection(props: AccountPageProps) {
  return (
    <section id="consents">
      <h2>Applications you allowed</h2>
      {props.account.consents.length === 0 ? <p class="muted">None.</p> : null}
      {props.account.consents.map((consent) => (
        <Form csrf={props.csrf} action="withdraw_consent">
          <input type="hidden" name="client_id" value={consent.client_id} />
          <p>
            {consent.client_id}: {consent.scope}
          </p>
          <button type="submit" class="secondary">
            Withdraw
          </button>
        </Form>
      ))}
    </section>
  );
}

/** Each form's own field (ids differ: the TOTP section can show two forms that ask for a code). */
function CodeField(props: { id?: string }) {
  const id = props.id ?? "code";
  return (
    <>
      <label for={id}>Code from your authenticator app</label>
      <input id={id} name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required />
    </>
  );
}

function TotpSection(props: AccountPageProps) {
  const { totp } = props.account;
  return (
    <section id="totp">
      <h2>Two-factor sign-in</h2>
      {props.recoveryCodes ? (
        <div id="recovery-codes">
          <p>Recovery codes — each works once in place of a code. Keep them somewhere safe; they are not shown again.</p>
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
          <p id="totp-status">On: signing in asks for a code from your authenticator app. {totp.recoveryCodesLeft} recovery codes left.</p>
          <Form csrf={props.csrf} action="regenerate_recovery_codes" id="regenerate-recovery-codes">
            <CodeField id="regenerate-code" />
            <button type="submit" class="secondary">New recovery codes</button>
          </Form>
          <Form csrf={props.csrf} action="disable_totp" id="disable-totp">
            <CodeField id="disable-code" />
            <button type="submit" class="secondary">Turn off</button>
          </Form>
        </>
      ) : props.enrolment ? (
        <>
          <p>Scan this code with your authenticator app, or type the key, then enter the code the app shows.</p>
          <div id="totp-qr" dangerouslySetInnerHTML={{ __html: props.enrolment.qrSvg }} />
          <p>
            Key: <code id="totp-secret">{props.enrolment.secret}</code>
          </p>
          <p class="muted">
            <a id="totp-uri" href={props.enrolment.uri}>
              Open in an authenticator app
            </a>
          </p>
          <Form csrf={props.csrf} action="confirm_totp" id="confirm-totp">
            <CodeField />
            <button type="submit">Turn on</button>
          </Form>
        </>
      ) : (
        <>
          <p id="totp-status">Off.</p>
          <Form csrf={props.csrf} action="start_totp" id="start-totp">
            <button type="submit">Set up an authenticator app</button>
          </Form>
        </>
      )}
    </section>
  );
}

/**
 * The page's sections, in order. Sign-in methods still to come (passkeys, email settings)
 * are added here as sections of their own.
 */
const SECTIONS: ReadonlyArray<(props: AccountPageProps) => Child> = [SessionsSection, ConsentsSection, TotpSection];

export function AccountPage(props: AccountPageProps) {
  return (
    <Layout title="Your account" security={props.security}>
      <h1>Your account</h1>
      <p class="muted">Signed in as {props.account.email}</p>
      {props.notice ? <p id="account-notice">{props.notice}</p> : null}
      {props.error ? (
        <p class="error" role="alert" id="account-error">
          {props.error}
        </p>
      ) : null}
      {SECTIONS.map((Section) => Section(props))}
    </Layout>
  );
}

/** Not signed in: the login form (and, for an account with TOTP, the code form after it). */
export function AccountSignInPage(props: { security: PageSecurity; csrf: string; email: string; error: string | null; pending: string | null }) {
  return (
    <Layout title="Sign in" security={props.security}>
      <h1>Sign in</h1>
      <p class="muted">to manage your account</p>
      {props.error ? (
        <p class="error" role="alert" id="login-error">
          {props.error}
        </p>
      ) : null}
      {props.pending ? (
        <Form csrf={props.csrf} action="second_factor">
          <input type="hidden" name="pending" value={props.pending} />
          <p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
          <CodeField />
          <button type="submit">Verify</button>
        </Form>
      ) : (
        <Form csrf={props.csrf} action="sign_in">
          <CredentialFields email={props.email} security={props.security} />
        </Form>
      )}
    </Layout>
  );
}
