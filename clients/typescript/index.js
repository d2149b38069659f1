// The five-apps API client: openapi-fetch typed by schema.d.ts (generated),
// with the hand-written retry layer (retry.js) on by default.
import createClient from "openapi-fetch";
import { retryMiddleware } from "./retry.js";

export { retryMiddleware };

/**
 * A client of the API at `baseUrl`; with `token`, every request carries
 * `Authorization: Bearer <token>` (each app's token works only in its app).
 * `retry` configures the retry layer (`{ retries: 0 }` turns it off).
 */
export function createApiClient(baseUrl, options = {}) {
  const { token, fetch = globalThis.fetch, headers = {}, retry = {} } = options;
  const client = createClient({
    baseUrl,
    fetch,
    headers: token ? { ...headers, Authorization: `Bearer ${token}` } : headers,
  });
  client.use(retryMiddleware({ fetch, ...retry }));
  return client;
}
