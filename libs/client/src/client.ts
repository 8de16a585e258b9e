import createFetchClient, { type Client } from 'openapi-fetch';
import type { Credentials } from './auth';
import type { paths } from './generated/openapi';

/** openapi-fetch over the API's paths: `client.POST('/tasks/{id}/approve', { params, body })`. */
export type TaskflowClient = Client<paths>;

export interface ClientOptions {
  /** The API's root URL, e.g. `http://localhost:8080`. */
  readonly baseUrl: string;
  /** An API key (`apiKey('tfk_…')`) or a `JwtSession`; none for the public routes. */
  readonly credentials?: Credentials;
  readonly headers?: Record<string, string>;
  readonly fetch?: (input: Request) => Promise<Response>;
}

export function createClient(options: ClientOptions): TaskflowClient {
  const client = createFetchClient<paths>({
    baseUrl: options.baseUrl,
    headers: options.headers,
    fetch: options.fetch,
  });
  const { credentials } = options;
  if (credentials) {
    client.use({
      async onRequest({ request }) {
        request.headers.set('authorization', await credentials.authorization());
        return request;
      },
    });
  }
  return client;
}

/** The strong ETag of a task version, for `If-Match`. */
export const etagOf = (version: number): string => `"${version}"`;

/** A fresh `Idempotency-Key`: send the same one again when retrying the same request. */
export const newIdempotencyKey = (): string => globalThis.crypto.randomUUID();
