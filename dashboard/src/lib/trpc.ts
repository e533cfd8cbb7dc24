import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../../api/src/trpc/root.ts';
import { ApiError, reportSessionLost } from './http.ts';
import { csrfToken } from './session.ts';

/** Every admin action goes through this client; its types come straight from the server's router. */
export const trpc = createTRPCClient<AppRouter>({
  links: [
    httpLink({
      url: '/trpc',
      headers: () => ({ 'x-csrf-token': csrfToken() }),
      async fetch(url, options) {
        const res = await fetch(url, { ...(options as RequestInit), credentials: 'same-origin' });
        // A 401 may also be about what was submitted (an agent's wrong client secret); only the
        // admin authentication's own 401 means the session is gone.
        if (res.status === 401 && (await isSessionFailure(res.clone()))) reportSessionLost();
        return res;
      },
    }),
  ],
});

async function isSessionFailure(res: Response): Promise<boolean> {
  try {
    const body = (await res.json()) as { error?: { data?: { error?: string } } };
    return body.error?.data?.error === 'unauthorized';
  } catch {
    return true;
  }
}

/** Awaits a tRPC call and turns its failure into an ApiError carrying the server's description. */
export async function act<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof TRPCClientError) {
      const data = error.data as { error?: string; httpStatus?: number } | undefined;
      const status = data?.httpStatus ?? 0;
      if (data?.error === 'unauthorized') throw new ApiError('Your session has ended. Please log in again.', 'unauthorized', status);
      throw new ApiError(error.message || 'The action failed.', data?.error ?? 'trpc_error', status);
    }
    throw error;
  }
}
