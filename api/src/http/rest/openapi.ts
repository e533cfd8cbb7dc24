import { openApiDocument } from '../../openapi/document.ts';
import { json, type Route } from '../route.ts';

/** The REST contract (OpenAPI 3.1), built from the zod schemas the routes validate with. */
export const openApiRoutes: Route[] = [
  {
    method: 'GET',
    path: '/openapi.json',
    auth: 'none',
    async handler() {
      return json(200, openApiDocument(), { 'cache-control': 'public, max-age=300' });
    },
  },
];
