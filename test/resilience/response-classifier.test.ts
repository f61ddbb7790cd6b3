import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createResponseClassifier, RESPONSE_CLASSIFIER_KINDS, responseClassifierConfigSchema,
  type RequestErrorKind, type ResponseClass, type ResponseClassifierKind,
} from '../../src/resilience/response-classifier.js';

const K = (s: string) => `io.l5d.http.${s}` as ResponseClassifierKind;

// [kind, method, status, l5d-retryable, expected]
const responses: Array<[string, string, number, boolean, ResponseClass]> = [
  ['nonRetryable5XX', 'GET', 200, false, 'success'],
  ['nonRetryable5XX', 'GET', 404, false, 'success'],
  ['nonRetryable5XX', 'GET', 500, false, 'failure'],
  ['nonRetryable5XX', 'GET', 503, true, 'retryable'],
  ['nonRetryable5XX', 'POST', 502, true, 'retryable'],
  ['retryableRead5XX', 'GET', 500, false, 'retryable'],
  ['retryableRead5XX', 'HEAD', 599, false, 'retryable'],
  ['retryableRead5XX', 'OPTIONS', 503, false, 'retryable'],
  ['retryableRead5XX', 'TRACE', 503, false, 'retryable'],
  ['retryableRead5XX', 'PUT', 503, false, 'failure'],
  ['retryableRead5XX', 'POST', 503, true, 'retryable'],
  ['retryableRead5XX', 'GET', 499, false, 'success'],
  ['retryableIdempotent5XX', 'PUT', 500, false, 'retryable'],
  ['retryableIdempotent5XX', 'DELETE', 500, false, 'retryable'],
  ['retryableIdempotent5XX', 'POST', 500, false, 'failure'],
  ['retryableIdempotent5XX', 'PATCH', 500, false, 'failure'],
  ['retryableAll5XX', 'POST', 500, false, 'retryable'],
  ['retryableAll5XX', 'PATCH', 500, false, 'retryable'],
  ['retryableAll5XX', 'CONNECT', 500, false, 'failure'],
  ['retryableAll5XX', 'POST', 201, false, 'success'],
  ['allSuccessful', 'GET', 500, false, 'success'],
  ['allSuccessful', 'POST', 503, true, 'success'],
];

test('classify: responses by kind, method, status and l5d-retryable', () => {
  for (const [kind, method, status, retryableHeader, expected] of responses) {
    const c = createResponseClassifier({ kind: K(kind) });
    assert.equal(c.classify({ method, status, retryableHeader }), expected, `${kind} ${method} ${status} ${retryableHeader}`);
  }
});

test('classify: nothing on a chunked request is retryable', () => {
  const all = createResponseClassifier({ kind: K('retryableAll5XX') });
  assert.equal(all.classify({ method: 'GET', status: 500, retryableHeader: true, chunked: true }), 'failure');
  assert.equal(all.classifyError('GET', 'timeout', true), 'failure');
  assert.equal(all.classify({ method: 'GET', status: 200, retryableHeader: false, chunked: true }), 'success');
});

// [kind, method, error, expected]
const errors: Array<[string, string, RequestErrorKind, ResponseClass]> = [
  ['nonRetryable5XX', 'GET', 'timeout', 'failure'],
  ['nonRetryable5XX', 'GET', 'connect', 'failure'],
  ['retryableRead5XX', 'GET', 'timeout', 'retryable'],
  ['retryableRead5XX', 'GET', 'write', 'retryable'],
  ['retryableRead5XX', 'GET', 'reset', 'retryable'],
  ['retryableRead5XX', 'GET', 'connect', 'retryable'],
  ['retryableRead5XX', 'GET', 'other', 'failure'],
  ['retryableRead5XX', 'POST', 'timeout', 'failure'],
  ['retryableIdempotent5XX', 'DELETE', 'reset', 'retryable'],
  ['retryableAll5XX', 'POST', 'timeout', 'retryable'],
  ['allSuccessful', 'GET', 'timeout', 'failure'],
];

test('classifyError: retryable kinds also retry timeouts and write/closed-connection errors', () => {
  for (const [kind, method, error, expected] of errors) {
    assert.equal(createResponseClassifier({ kind: K(kind) }).classifyError(method, error), expected, `${kind} ${method} ${error}`);
  }
});

test('classifier config: the default kind, the five kinds, strict keys', () => {
  assert.equal(createResponseClassifier().kind, 'io.l5d.http.nonRetryable5XX');
  assert.equal(createResponseClassifier(), createResponseClassifier({ kind: 'io.l5d.http.nonRetryable5XX' }));
  assert.equal(RESPONSE_CLASSIFIER_KINDS.length, 5);
  for (const kind of RESPONSE_CLASSIFIER_KINDS) assert.ok(responseClassifierConfigSchema.safeParse({ kind }).success);
  assert.equal(responseClassifierConfigSchema.safeParse({ kind: 'io.l5d.http.retryable5XX' }).success, false);
  assert.equal(responseClassifierConfigSchema.safeParse({ kind: 'io.l5d.http.allSuccessful', x: 1 }).success, false);
});
