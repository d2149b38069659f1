// Types of index.js; the API's own types are generated into schema.d.ts.
import type { Client } from "openapi-fetch";
import type { paths } from "./schema.js";
import type { RetryOptions } from "./retry.js";

export { retryMiddleware, type RetryOptions } from "./retry.js";

export type { components, operations, paths } from "./schema.js";

export interface ApiClientOptions {
  /** A bearer token from one app's login; sent on every request. */
  token?: string;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof globalThis.fetch;
  /** Headers added to every request. */
  headers?: Record<string, string>;
  /** The retry layer's settings (`{ retries: 0 }` turns it off); see retry.d.ts. */
  retry?: RetryOptions;
}

/** A typed client of the API at `baseUrl` (for example `http://127.0.0.1:8080`). */
export declare function createApiClient(baseUrl: string, options?: ApiClientOptions): Client<paths>;
