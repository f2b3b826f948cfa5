export const DIRECTORY_UNAVAILABLE = "The company directory is unavailable right now, so directory accounts cannot sign in. Please try again in a few minutes.";

/** The directory could not be asked; the login page shows DIRECTORY_UNAVAILABLE. */
export class DirectoryUnavailable extends Error {
  override readonly name = "DirectoryUnavailable";
}
