import { z } from 'zod';

/**
 * Path parameters of the REST twins. Like REST, a malformed id is left to the service, which
 * answers 404 rather than revealing how ids look.
 */
export const resourceId = z.string().min(1).max(100);
export const ById = z.strictObject({ id: resourceId });
export const ByOrganization = z.strictObject({ organization_id: resourceId });
export const ByTeam = z.strictObject({ organization_id: resourceId, team_id: resourceId });
