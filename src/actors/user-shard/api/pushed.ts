// Pushed authorization requests (RFC 9126): stored in the random bucket their request_uri
// carries (pushed-requests.ts), taken once by /authorize.

export interface NewPushedRequest {
  bucket: number;
  /** SHA-256 of the request_uri; the request_uri itself is never stored. */
  requestHash: string;
  clientId: string;
  /** Every pushed parameter, validated by the router at push time. */
  params: Record<string, string>;
  ttlS: number;
}

export interface TakePushedInput {
  bucket: number;
  requestHash: string;
  /** The client_id /authorize was called with; it must be the one that pushed (RFC 9126 §4). */
  clientId: string;
}

export interface PushedRequest {
  params: Record<string, string>;
}
