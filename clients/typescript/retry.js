// Hand-written (not generated): the retry layer of the SDK, an openapi-fetch
// middleware. It gives every write (POST, PUT, PATCH, DELETE) an
// `Idempotency-Key` unless the caller set one, and retries a write that got no
// answer (connection failure), 503, 429, or 409 with `Retry-After` (its key's
// first request still running), with the same key, at most `retries` times,
// waiting `Retry-After` when the server says so, else an exponential backoff.
// A request without a key (a GET, or a login/logout, which take none) is
// retried only on 503/429 if it is a GET, never if it is a write.

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Writes that take no key: a stored answer would hold a token. */
const SESSION_PATH = /\/(login\/?|logout|auth)$/;
const originals = new WeakMap();

function retryAfterMs(response, attempt, baseDelayMs, maxDelayMs) {
  const header = response?.headers.get("retry-after");
  const seconds = header === null || header === undefined ? NaN : Number(header);
  const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(maxDelayMs, seconds * 1000) : backoff;
}

/**
 * The middleware: `client.use(retryMiddleware({ retries: 3 }))`.
 * Options: `retries` (default 3), `baseDelayMs` (200), `maxDelayMs` (10000),
 * `newKey` (default `crypto.randomUUID`), `fetch` (the one the client uses).
 */
export function retryMiddleware(options = {}) {
  const {
    retries = 3,
    baseDelayMs = 200,
    maxDelayMs = 10_000,
    newKey = () => globalThis.crypto.randomUUID(),
    fetch = globalThis.fetch,
  } = options;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  const keyed = (request) => request.headers.has("idempotency-key");
  const mayRetry = (request) => keyed(request) || !WRITES.has(request.method);

  async function again(request, firstResponse) {
    let response = firstResponse;
    for (let attempt = 0; attempt < retries; attempt++) {
      await sleep(retryAfterMs(response, attempt, baseDelayMs, maxDelayMs));
      try {
        response = await fetch(originals.get(request).clone());
      } catch (error) {
        response = undefined;
        if (attempt === retries - 1) throw error;
        continue;
      }
      if (!shouldRetry(request, response)) return response;
    }
    return response;
  }

  function shouldRetry(request, response) {
    if (response.status === 503 || response.status === 429) return true;
    // 409 with Retry-After: the key's first request is still running.
    return response.status === 409 && keyed(request) && response.headers.has("retry-after");
  }

  return {
    async onRequest({ request }) {
      let out = request;
      if (WRITES.has(request.method) && !keyed(request) && !SESSION_PATH.test(new URL(request.url).pathname)) {
        out = new Request(request, { headers: new Headers(request.headers) });
        out.headers.set("Idempotency-Key", newKey());
      }
      if (mayRetry(out)) originals.set(out, out.clone());
      return out;
    },
    async onResponse({ request, response }) {
      if (!originals.has(request) || !shouldRetry(request, response)) return undefined;
      return again(request, response);
    },
    async onError({ request, error }) {
      // No answer at all: only a keyed write (or a read) may be sent again.
      if (!originals.has(request) || retries === 0) return error;
      try {
        return await again(request, undefined);
      } catch {
        return error;
      } finally {
        originals.delete(request); // onResponse must not retry it once more
      }
    },
  };
}
