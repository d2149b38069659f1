// Hand-written (not generated): types of retry.js.
import type { Middleware } from "openapi-fetch";

export interface RetryOptions {
  /** Retries after the first attempt (default 3); 0 turns retrying off. */
  retries?: number;
  /** First backoff when the answer has no `Retry-After` (default 200 ms), doubled each time. */
  baseDelayMs?: number;
  /** Longest wait between attempts (default 10 s). */
  maxDelayMs?: number;
  /** Makes a key for a write sent without one (default `crypto.randomUUID`). */
  newKey?: () => string;
  /** The fetch the retries use (the client's). */
  fetch?: typeof globalThis.fetch;
}

/**
 * Sends an `Idempotency-Key` on every write that has none (logins and logouts
 * take none) and retries connection failures, 503, 429 and a 409 with
 * `Retry-After`, with the same key, honouring `Retry-After`. A write without
 * a key is never retried.
 */
export declare function retryMiddleware(options?: RetryOptions): Middleware;
