/**
 * The wire engine's errors. Codes follow what the rest of the router already understands:
 * llhttp's `HPE_*` names for malformed messages (as node reports them), undici's `UND_ERR_*`
 * names for client-side failures, and the socket's own errno codes (`ECONNRESET`, …) as is.
 */

/** Status codes the server answers a request it cannot process with. */
export type RejectStatus = 400 | 408 | 417 | 431 | 501 | 505;

/** A request the server will not process: malformed, too large, or asking for something unsupported. */
export class RequestRejectedError extends Error {
  constructor(readonly code: string, readonly status: RejectStatus, message: string) {
    super(message);
    this.name = 'RequestRejectedError';
  }
}

/** A client-side failure, with an undici-compatible `code`. */
export class WireClientError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'WireClientError';
  }
}
