/** Inflates an HTTP-Redirect binding message (base64 of raw DEFLATE, SAML Bindings §3.4.4.1). */
export async function inflateForTest(value: string): Promise<string> {
  const bytes = Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Response(stream).text();
}
