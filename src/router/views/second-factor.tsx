import { Layout, type PageSecurity } from "./layout";

/** Two-factor sign-in's pages in the authorization flow: the code form, and "set it up first". */

export function SecondFactorPage(props: { security: PageSecurity; clientName: string; pending: string; error: string | null }) {
  return (
    <Layout title="Enter your code" security={props.security}>
      <h1>Two-factor sign-in</h1>
      <p class="muted">to continue to {props.clientName}</p>
      <p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
      {props.error ? (
        <p class="error" role="alert" id="second-factor-error">
          {props.error}
        </p>
      ) : null}
      {/* Top-level, like /login: the consent page that may follow posts to the relative "consent". */}
      <form method="post" action="/second-factor">
        <input type="hidden" name="pending" value={props.pending} />
        <label for="code">Code</label>
        <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus />
        <button type="submit">Verify</button>
      </form>
    </Layout>
  );
}

export function EnrolFirstPage(props: { security: PageSecurity; clientName: string }) {
  return (
    <Layout title="Set up two-factor sign-in" security={props.security}>
      <h1>Set up two-factor sign-in</h1>
      <p>{props.clientName} requires two-factor sign-in. Set up an authenticator app on your account page, then sign in to {props.clientName} again.</p>
      <p>
        <a id="enrol-link" href="/account">
          Go to your account
        </a>
      </p>
    </Layout>
  );
}
