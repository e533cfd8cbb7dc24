import { createResource } from 'solid-js';
import { gql, settled } from './graphql.ts';
import { nodes, TEAM_OPTIONS_QUERY, type TeamOptionsResult } from './queries.ts';

/** The teams of the organization a form has chosen; none while no organization is chosen. */
export function createTeamOptions(organizationId: () => string) {
  const [teams] = createResource(
    () => organizationId() || false,
    (id) => gql<TeamOptionsResult>(TEAM_OPTIONS_QUERY, { id }),
  );
  return () => (organizationId() ? nodes(settled(teams)?.organization.teams) : []);
}
