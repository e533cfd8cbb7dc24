import { CreateTeamInput, CreateOrganizationInput, UpdateOrganizationInput, UpdateTeamInput } from '../../schemas/organizations.ts';
import { organizationJson, teamJson } from '../../wire.ts';
import { adminProcedure, router } from '../trpc.ts';
import { ById, ByOrganization, ByTeam, resourceId } from './ids.ts';

/** The twins of /api/organizations/:id/teams (http/rest/organizations.ts). */
const teamsRouter = router({
  list: adminProcedure.input(ByOrganization).query(async ({ ctx, input }) => ({
    teams: (await ctx.services.organizations.listTeams(ctx.request, input.organization_id)).map(teamJson),
  })),

  get: adminProcedure.input(ByTeam).query(async ({ ctx, input }) =>
    teamJson(await ctx.services.organizations.getTeam(ctx.request, input.organization_id, input.team_id))),

  create: adminProcedure.input(CreateTeamInput.extend({ organization_id: resourceId })).mutation(async ({ ctx, input: { organization_id, ...team } }) =>
    teamJson(await ctx.services.organizations.createTeam(ctx.request, organization_id, team))),

  update: adminProcedure
    .input(UpdateTeamInput.extend({ organization_id: resourceId, team_id: resourceId }))
    .mutation(async ({ ctx, input: { organization_id, team_id, ...changes } }) =>
      teamJson(await ctx.services.organizations.updateTeam(ctx.request, organization_id, team_id, changes))),

  delete: adminProcedure.input(ByTeam).mutation(async ({ ctx, input }) => {
    await ctx.services.organizations.removeTeam(ctx.request, input.organization_id, input.team_id);
    return { deleted: true as const };
  }),
});

/** The twins of /api/organizations (http/rest/organizations.ts). */
export const organizationsRouter = router({
  list: adminProcedure.query(async ({ ctx }) => ({
    organizations: (await ctx.services.organizations.list(ctx.request)).map(organizationJson),
  })),

  get: adminProcedure.input(ById).query(async ({ ctx, input }) => organizationJson(await ctx.services.organizations.get(ctx.request, input.id))),

  create: adminProcedure.input(CreateOrganizationInput).mutation(async ({ ctx, input }) =>
    organizationJson(await ctx.services.organizations.create(ctx.request, input))),

  update: adminProcedure.input(UpdateOrganizationInput.extend({ id: resourceId })).mutation(async ({ ctx, input: { id, ...changes } }) =>
    organizationJson(await ctx.services.organizations.update(ctx.request, id, changes))),

  delete: adminProcedure.input(ById).mutation(async ({ ctx, input }) => {
    await ctx.services.organizations.remove(ctx.request, input.id);
    return { deleted: true as const };
  }),

  teams: teamsRouter,
});
