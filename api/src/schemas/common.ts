import { z } from 'zod';

/**
 * Request bodies of the REST contract, shared by REST, tRPC and the OpenAPI document, so what is
 * validated, what is typed and what is published cannot drift apart.
 */

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
export const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/, 'scopes are 1-128 printable characters without spaces, quotes or backslashes');
/** In all at most what the token endpoint's `scope` parameter takes, so a token always fits a header. */
export const scopeList = z.array(scopeToken).max(100).refine((scopes) => scopes.join(' ').length <= 4000, 'scopes may total at most 4000 characters');
/** Text a person reads (names, searches): control characters (NUL above all) are never meant. */
export const plainText = z.string().regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
export const name = plainText.trim().min(1, 'must not be empty').max(200);
export const uuid = z.uuid({ error: 'must be a UUID' });
/** Seconds from now; up to ten years. */
export const expiresIn = z.number().int().positive().max(315_360_000);

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
});

/** Action routes take no parameters: an empty body (or `{}`); anything else is a mistake worth a 400. */
export const EmptyBody = z.strictObject({});
