import type { PageStep } from "../mfa/page-step";
import { Layout, type PageSecurity } from "./layout";

/** The approval pages' second factor: the code form posted back to the page, or "set it up first". */
export function PageSecondFactor(props: { security: PageSecurity; csrf: string; step: PageStep; pending: string; enrolled: boolean; error: string | null }) {
  if (!props.enrolled) {
    return (
      <Layout title="Set up two-factor sign-in" security={props.security}>
        <h1>Set up two-factor sign-in</h1>
        <p id="enrol-first">{props.step.clientName} requires two-factor sign-in. Set up an authenticator app or a passkey on your account page, then come back.</p>
        <p>
          <a id="enrol-link" href="/account">
            Go to your account
          </a>
        </p>
      </Layout>
    );
  }
  return (
    <Layout title="Enter your code" security={props.security}>
      <h1>Two-factor sign-in</h1>
      <p class="muted">to continue with {props.step.clientName}</p>
      <p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
      {props.error ? (
        <p class="error" role="alert" id="second-factor-error">
          {props.error}
        </p>
      ) : null}
      <form method="post" action={props.step.action}>
        <input type="hidden" name="csrf" value={props.csrf} />
        {Object.entries(props.step.fields).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name="step" value="second_factor" />
        <input type="hidden" name="pending" value={props.pending} />
        <label for="code">Code</label>
        <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus />
        <button type="submit">Verify</button>
      </form>
    </Layout>
  );
}
