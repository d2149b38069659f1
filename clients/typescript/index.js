// The five-apps API client: openapi-fetch typed by schema.d.ts (generated).
import createClient from "openapi-fetch";

/**
 * A client of the API at `baseUrl`; with `token`, every request carries
 * `Authorization: Bearer <token>` (each app's token works only in its app).
 */
export function createApiClient(baseUrl, options = {}) {
  const { token, fetch, headers = {} } = options;
  return createClient({
    baseUrl,
    fetch,
    headers: token ? { ...headers, Authorization: `Bearer ${token}` } : headers,
  });
}
