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
        if (res.status === 401) reportSessionLost();
        return res;
      },
    }),
  ],
});

/** Awaits a tRPC call and turns its failure into an ApiError carrying the server's description. */
export async function act<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof TRPCClientError) {
      const data = error.data as { code?: string; httpStatus?: number } | undefined;
      const status = data?.httpStatus ?? 0;
      if (status === 401) throw new ApiError('Your session has ended. Please log in again.', 'unauthorized', 401);
      throw new ApiError(error.message || 'The action failed.', data?.code ?? 'trpc_error', status);
    }
    throw error;
  }
}
