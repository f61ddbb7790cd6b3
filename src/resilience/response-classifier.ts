/**
 * HTTP response classifiers (`service.responseClassifier`): whether a response or an error is a
 * success, a failure, or a failure that is safe to retry. Composed as Linkerd's HTTP router
 * composes them: the configured kind, falling back to "5xx is a non-retryable failure"; then a
 * failure whose response says `l5d-retryable: true` becomes retryable; then nothing on a chunked
 * (streamed) request is retryable, since its body cannot be replayed.
 */
import { z } from 'zod';

export type ResponseClass = 'success' | 'failure' | 'retryable';

/**
 * Why a request produced no response: the attempt timed out, the connection could not be
 * established, the connection was closed or reset mid-exchange, the request could not be
 * written, or anything else (a protocol or internal error).
 */
export type RequestErrorKind = 'timeout' | 'connect' | 'reset' | 'write' | 'other';

export interface ClassifiedResponse {
  /** Request method, upper case as on the wire. */
  method: string;
  status: number;
  /** The response carries `l5d-retryable: true` (a router upstream could not deliver the request). */
  retryableHeader: boolean;
  /** The request body was streamed (chunked) and so cannot be replayed. */
  chunked?: boolean;
}

export interface ResponseClassifier {
  readonly kind: ResponseClassifierKind;
  classify(response: ClassifiedResponse): ResponseClass;
  classifyError(method: string, error: RequestErrorKind, chunked?: boolean): ResponseClass;
}

const READ = ['GET', 'HEAD', 'OPTIONS', 'TRACE'];
const IDEMPOTENT = [...READ, 'PUT', 'DELETE'];
const ALL = [...IDEMPOTENT, 'POST', 'PATCH'];

/** Each kind's retryable methods; `null` for kinds that never retry on their own. */
const KINDS = {
  'io.l5d.http.nonRetryable5XX': null,
  'io.l5d.http.retryableRead5XX': READ,
  'io.l5d.http.retryableIdempotent5XX': IDEMPOTENT,
  'io.l5d.http.retryableAll5XX': ALL,
  'io.l5d.http.allSuccessful': null,
} as const satisfies Record<string, readonly string[] | null>;

export type ResponseClassifierKind = keyof typeof KINDS;
export const RESPONSE_CLASSIFIER_KINDS = Object.keys(KINDS) as ResponseClassifierKind[];
export const DEFAULT_RESPONSE_CLASSIFIER: ResponseClassifierKind = 'io.l5d.http.nonRetryable5XX';

export const responseClassifierConfigSchema = z.strictObject({
  kind: z.enum(RESPONSE_CLASSIFIER_KINDS as [ResponseClassifierKind, ...ResponseClassifierKind[]]),
});
export type ResponseClassifierConfig = z.infer<typeof responseClassifierConfigSchema>;

const classifiers = new Map<ResponseClassifierKind, ResponseClassifier>();

/** The classifier for a `responseClassifier` block (the default kind when absent). Shared and stateless. */
export function createResponseClassifier(config?: ResponseClassifierConfig): ResponseClassifier {
  const kind = config?.kind ?? DEFAULT_RESPONSE_CLASSIFIER;
  let c = classifiers.get(kind);
  if (!c) {
    c = build(kind);
    classifiers.set(kind, c);
  }
  return c;
}

function build(kind: ResponseClassifierKind): ResponseClassifier {
  const methods: ReadonlySet<string> | null = KINDS[kind] && new Set(KINDS[kind]);
  const allSuccessful = kind === 'io.l5d.http.allSuccessful';
  const retryableMethod = (method: string, chunked: boolean | undefined) => methods !== null && !chunked && methods.has(method);
  return {
    kind,
    classify({ method, status, retryableHeader, chunked }) {
      if (allSuccessful || status < 500 || status > 599) return 'success';
      if (retryableMethod(method, chunked)) return 'retryable';
      return retryableHeader && !chunked ? 'retryable' : 'failure';
    },
    classifyError(method, error, chunked) {
      // Timeouts, failed connects and writes and closed connections are what Finagle's
      // TimeoutAndWriteExceptionsOnly and ChannelClosedExceptionsOnly retry; any other error is final.
      return error !== 'other' && retryableMethod(method, chunked) ? 'retryable' : 'failure';
    },
  };
}
