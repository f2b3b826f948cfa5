import { bucketOfArtifact, mintArtifact } from "../../oauth/artifacts";
import { sha256 } from "../../oauth/secrets";
import { BUCKET_COUNT } from "../../shard/bucket";

/** RFC 9126 §2.2: the URN prefix of the request_uri a push returns. */
export const REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:";

export interface RequestUriRef {
  bucket: number;
  /** SHA-256 of the reference part `p.<bucket>.<secret>`: what the shard stores. */
  hash: string;
}

/**
 * A new request_uri in a random bucket. No user is known when a request is pushed, so
 * its bucket is drawn at random (spreading pushes over every shard) and carried in the
 * URI, so /authorize routes to it without a lookup (DESIGN.md, state before the user is known).
 */
export async function mintRequestUri(): Promise<{ requestUri: string; ref: RequestUriRef }> {
  const bucket = crypto.getRandomValues(new Uint32Array(1))[0]! % BUCKET_COUNT;
  const reference = mintArtifact("p", bucket);
  return { requestUri: `${REQUEST_URI_PREFIX}${reference}`, ref: { bucket, hash: await sha256(reference) } };
}

/** The bucket and hash of a request_uri this provider issued, or null. */
export async function parseRequestUri(value: string): Promise<RequestUriRef | null> {
  if (!value.startsWith(REQUEST_URI_PREFIX)) return null;
  const reference = value.slice(REQUEST_URI_PREFIX.length);
  const bucket = bucketOfArtifact("p", reference);
  return bucket === null ? null : { bucket, hash: await sha256(reference) };
}
