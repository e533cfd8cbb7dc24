import { ApiError, reportSessionLost } from './http.ts';
import { csrfToken } from './session.ts';

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Runs a query against /graphql with the dashboard session; GraphQL errors become ApiErrors. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch('/graphql', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', 'x-csrf-token': csrfToken() },
    body: JSON.stringify({ query, variables }),
  });
  let body: GraphQLResponse<T> & { error?: string; error_description?: string };
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`The server answered ${res.status}.`, 'http_error', res.status);
  }
  const first = body.errors?.[0];
  if (res.status === 401 || first?.extensions?.code === 'UNAUTHENTICATED' || first?.extensions?.code === 'unauthorized') {
    reportSessionLost();
    throw new ApiError('Your session has ended. Please log in again.', 'unauthorized', 401);
  }
  if (first) throw new ApiError(first.message, first.extensions?.code ?? 'graphql_error', res.status);
  if (!res.ok || !body.data) throw new ApiError(body.error_description ?? `The server answered ${res.status}.`, body.error ?? 'http_error', res.status);
  return body.data;
}

/**
 * A resource's last value, or undefined once it failed: reading a failed resource throws, and a
 * secondary list (an organization picker, say) must not take its page down with it.
 */
export function settled<T>(resource: { state: string; latest: T | undefined }): T | undefined {
  return resource.state === 'errored' ? undefined : resource.latest;
}
