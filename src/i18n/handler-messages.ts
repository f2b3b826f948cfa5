import { t, type Locale, type MessageKey } from "./index";

/**
 * The handlers write what they tell a person in English (login.ts WRONG, SLOWED, ...), and
 * those strings are also what existing tests and logs match. A page shows them through
 * localizeMessage: each one listed here becomes its catalog entry in the page's language
 * (with the numbers it carried); anything else is shown as written.
 */
const KNOWN: ReadonlyArray<readonly [RegExp, MessageKey]> = [
  [/^The email or password is not correct\.$/, "login.wrong"],
  [/^Too many failed attempts\. Wait (?<seconds>\d+) seconds? and try again\.$/, "login.slowed"],
  [/^Signing in is temporarily unavailable\. Please try again in a moment\.$/, "login.unavailable"],
  [/^That code is not correct\. Codes change every 30 seconds and each works once\.$/, "mfa.wrong_code"],
  // The device and CIBA approval pages (device/page.tsx WRONG_CODE, ciba/page.tsx GONE, OTHER_USER).
  [/^That code is not valid\. Check the code on your device and try again; codes expire after a few minutes\.$/, "device.wrong_code"],
  [/^This sign-in request has expired, was already answered, or does not exist\. Start again from the application\.$/, "ciba.gone"],
  [/^This request is for another account\. Sign in as the account the application named\.$/, "ciba.other_user"],
  // Error pages (pages/errors.tsx): the descriptions a person meets most often.
  [/^this sign-in page has expired or was opened in another browser; start again from the application$/, "error.expired_page"],
  [/^the application is no longer registered$/, "error.client_gone"],
  [/^unknown client_id$/, "error.unknown_client"],
  [/^client_id is missing$/, "error.client_missing"],
  [/^redirect_uri is not registered for this client$/, "error.redirect_unregistered"],
  // The account page's notices (account/page.tsx NOTICES) and its conflict.
  [/^Signed out everywhere else\.$/, "account.notice.end_other_sessions"],
  [/^Access withdrawn\.$/, "account.notice.withdraw_consent"],
  [/^Scan the code, then enter the code your app shows to turn two-factor sign-in on\.$/, "account.notice.start_totp"],
  [/^Two-factor sign-in is on\.$/, "account.notice.confirm_totp"],
  [/^Two-factor sign-in is off\.$/, "account.notice.disable_totp"],
  [/^New recovery codes: the old ones no longer work\.$/, "account.notice.regenerate_recovery_codes"],
  [/^That was already done \(perhaps in another tab\)\.$/, "account.already_done"],
];

export function localizeMessage(locale: Locale, text: string): string {
  if (locale === "en") return text;
  for (const [pattern, key] of KNOWN) {
    const match = pattern.exec(text);
    if (match) return t(locale, key, match.groups ?? {});
  }
  return text;
}
