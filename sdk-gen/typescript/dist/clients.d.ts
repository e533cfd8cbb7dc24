import { MachineAuthOperations } from './generated/operations.ts';
import type { AgentCredentials, TokenResponse } from './generated/types.ts';
import { type OperationRequest, type TransportOptions } from './http.ts';
import { TokenManager } from './token-manager.ts';
/** An administrator (HTTP Basic) or an organization API key (`mach_…`, its own organization only). */
export type AdminCredentials = {
    email: string;
    password: string;
} | {
    apiKey: string;
};
export interface MachineAuthClientOptions extends TransportOptions {
    /** The agent's credentials: tokens are fetched, cached and renewed with them. */
    clientId?: string;
    clientSecret?: string;
    /** The scope asked for by agent calls and by getToken() without a scope ("read write"). */
    scope?: string;
    /** A ready access token instead of client credentials (it is neither cached nor renewed). */
    accessToken?: string;
    /** Credentials for the admin operations (listAgents, createOrganization, …). */
    admin?: AdminCredentials;
    /** See TokenManagerOptions.refreshLeewaySeconds (60 by default). */
    refreshLeewaySeconds?: number;
}
/**
 * The MachineAuth API. Agent operations (getMe, getUsage, rotate, verify…) authenticate with
 * an access token the client obtains, caches and renews itself from `clientId`/`clientSecret`;
 * admin operations use `admin`; the OAuth and discovery operations need neither.
 */
export declare class MachineAuthClient extends MachineAuthOperations {
    /** The token cache; undefined without client credentials. */
    readonly tokens: TokenManager | undefined;
    private readonly transport;
    private readonly clientId?;
    private clientSecret?;
    private readonly scope?;
    private readonly accessToken?;
    private readonly admin?;
    constructor(options: MachineAuthClientOptions);
    /**
     * An access token for `scope` (the client's default scope when omitted): the cached one while
     * it is fresh, else a renewed one. Concurrent calls share one request.
     */
    getToken(options?: {
        scope?: string;
        forceRefresh?: boolean;
    }): Promise<TokenResponse>;
    /** Rotates the agent's own secret and keeps using the new one. */
    rotate(): Promise<AgentCredentials>;
    /** Deletes the agent itself; its cached tokens go with it. */
    deleteSelf(): Promise<void>;
    protected send<R>(request: OperationRequest): Promise<R>;
    /** With the agent's token; a token the server refuses (revoked, say) is replaced once. */
    private sendAsAgent;
    private withClientCredentials;
    private adminAuthorization;
}
export type MachineAuthAdminClientOptions = TransportOptions & AdminCredentials;
/** The admin operations (and the public ones) with administrator or API-key credentials. */
export declare class MachineAuthAdminClient extends MachineAuthClient {
    constructor(options: MachineAuthAdminClientOptions);
}
