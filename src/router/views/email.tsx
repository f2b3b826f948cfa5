import { PasskeyCapable } from "./passkeys";
import { Layout, type PageSecurity } from "./layout";

/** Email codes, magic links and password reset pages; no JavaScript. */

function ErrorLine(props: { error: string | null }) {
  return props.error ? (
    <p class="error" role="alert" id="email-error">
      {props.error}
    </p>
  ) : null;
}

export function EmailCodePage(props: { security: PageSecurity; interaction: string; error: string | null }) {
  return (
    <Layout title="Check your email" security={props.security}>
      <h1>Check your email</h1>
      <p class="muted">If an account uses that address, we sent it a sign-in code and link. Type the code here, or open the link in this browser.</p>
      <ErrorLine error={props.error} />
      <form method="post" action="/email-code">
        <input type="hidden" name="interaction" value={props.interaction} />
        <label for="code">Code</label>
        <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus />
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}

export function ResetPage(props: { security: PageSecurity; interaction: string; error: string | null }) {
  return (
    <Layout title="Reset your password" security={props.security}>
      <h1>Reset your password</h1>
      <p class="muted">If an account uses that address, we sent it a reset code. Type it here with your new password.</p>
      <ErrorLine error={props.error} />
      <form method="post" action="/reset-password">
        <input type="hidden" name="interaction" value={props.interaction} />
        <label for="code">Code</label>
        <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus />
        <label for="password">New password</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength={8} />
        <button type="submit">Set password</button>
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
  return (
    <Layout title="Create an account" security={props.security}>
      <h1>Create an account</h1>
      <ErrorLine error={props.error} />
      <form method="post" action="/signup">
        <input type="hidden" name="interaction" value={props.interaction} />
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="email" required value={props.email} autofocus />
        <label for="name">Name</label>
        <input id="name" name="name" type="text" autocomplete="name" value={props.name} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength={8} />
        <button type="submit">Continue</button>
      </form>
    </Layout>
  );
}

export function SignupCodePage(props: { security: PageSecurity; interaction: string; user: string; email: string; error: string | null }) {
  return (
    <Layout title="Check your email" security={props.security}>
      <h1>Check your email</h1>
      <p class="muted">We sent a code to {props.email}. Type it here to create your account.</p>
      <ErrorLine error={props.error} />
      <form method="post" action="/signup-code">
        <input type="hidden" name="interaction" value={props.interaction} />
        <input type="hidden" name="user" value={props.user} />
        <input type="hidden" name="email" value={props.email} />
        {/* Passkeys: a browser that can make one is offered it after the account is created. */}
        <PasskeyCapable security={props.security} />
        <label for="code">Code</label>
        <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus />
        <button type="submit">Create account</button>
      </form>
    </Layout>
  );
}
