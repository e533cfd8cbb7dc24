/** An error the dashboard shows to the user: the server's own description when it gave one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string = 'error',
    readonly status: number = 0,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Handlers told when the server says the session is gone (expired, logged out elsewhere). */
export const sessionLostListeners = new Set<() => void>();

export function reportSessionLost() {
  for (const listener of sessionLostListeners) listener();
}

/** The message to show for any failure, never a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'Cannot reach the MachineAuth server. Check that it is running.';
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}

/** JSON over fetch for the few plain REST calls (session, health); RFC 6749 error bodies become ApiErrors. */
export async function requestJson<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  headers.set('accept', 'application/json');
  if (json !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(path, { ...rest, headers, credentials: 'same-origin', body: json !== undefined ? JSON.stringify(json) : rest.body });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const err = body as { error?: string; error_description?: string } | undefined;
    throw new ApiError(err?.error_description ?? `The server answered ${res.status}.`, err?.error ?? 'http_error', res.status);
  }
  return body as T;
}
