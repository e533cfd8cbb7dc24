import { MachineAuthConfigurationError } from './errors.js';
import { InvalidTokenError } from './generated/errors.js';
import { MachineAuthOperations } from './generated/operations.js';
import { sendRequest } from './http.js';
import { TokenManager } from './token-manager.js';
/**
 * The MachineAuth API. Agent operations (getMe, getUsage, rotate, verify…) authenticate with
 * an access token the client obtains, caches and renews itself from `clientId`/`clientSecret`;
 * admin operations use `admin`; the OAuth and discovery operations need neither.
 */
export class MachineAuthClient extends MachineAuthOperations {
    /** The token cache; undefined without client credentials. */
    tokens;
    transport;
    clientId;
    clientSecret;
    scope;
    accessToken;
    admin;
    constructor(options) {
        super();
        if (!options?.baseUrl)
            throw new MachineAuthConfigurationError('baseUrl is required');
        if (Boolean(options.clientId) !== Boolean(options.clientSecret))
            throw new MachineAuthConfigurationError('clientId and clientSecret go together');
        this.transport = { baseUrl: options.baseUrl, fetch: options.fetch, timeoutMs: options.timeoutMs, headers: options.headers };
        this.clientId = options.clientId;
        this.clientSecret = options.clientSecret;
        this.scope = options.scope;
        this.accessToken = options.accessToken;
        this.admin = options.admin;
        if (this.clientId) {
            this.tokens = new TokenManager({
                clientCredentials: (scope) => this.requestToken({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }),
                refreshToken: (refreshToken) => this.requestToken({ grant_type: 'refresh_token', refresh_token: refreshToken }),
            }, { refreshLeewaySeconds: options.refreshLeewaySeconds });
        }
    }
    /**
     * An access token for `scope` (the client's default scope when omitted): the cached one while
     * it is fresh, else a renewed one. Concurrent calls share one request.
     */
    async getToken(options = {}) {
        if (!this.tokens)
            throw new MachineAuthConfigurationError('getToken() needs clientId and clientSecret');
        return this.tokens.get({ scope: options.scope ?? this.scope, forceRefresh: options.forceRefresh });
    }
    /** Rotates the agent's own secret and keeps using the new one. */
    async rotate() {
        const credentials = await super.rotate();
        if (this.clientId && credentials.client_id === this.clientId)
            this.clientSecret = credentials.client_secret;
        return credentials;
    }
    /** Deletes the agent itself; its cached tokens go with it. */
    async deleteSelf() {
        await super.deleteSelf();
        this.tokens?.clear();
    }
    async send(request) {
        switch (request.auth) {
            case 'none':
                return (await sendRequest(this.transport, request, {}));
            case 'client':
                return (await sendRequest(this.transport, this.withClientCredentials(request), {}));
            case 'admin':
                return (await sendRequest(this.transport, request, { authorization: this.adminAuthorization(request) }));
            case 'bearer':
                if (!this.tokens && !this.accessToken && this.admin && 'apiKey' in this.admin) {
                    return (await sendRequest(this.transport, request, { authorization: `Bearer ${this.admin.apiKey}` }));
                }
                return this.sendAsAgent(request);
            case 'agent':
                return this.sendAsAgent(request);
        }
    }
    /** With the agent's token; a token the server refuses (revoked, say) is replaced once. */
    async sendAsAgent(request) {
        if (this.accessToken)
            return (await sendRequest(this.transport, request, { authorization: `Bearer ${this.accessToken}` }));
        if (!this.tokens)
            throw new MachineAuthConfigurationError(`${request.operationId}() needs agent credentials (clientId and clientSecret, or accessToken)`);
        const token = await this.tokens.get({ scope: this.scope });
        try {
            return (await sendRequest(this.transport, request, { authorization: `Bearer ${token.access_token}` }));
        }
        catch (error) {
            if (!(error instanceof InvalidTokenError))
                throw error;
            let fresh;
            try {
                fresh = await this.tokens.replace(token.access_token, this.scope);
            }
            catch {
                // No new token either (agent deactivated or deleted): the original refusal says why.
                throw error;
            }
            return (await sendRequest(this.transport, request, { authorization: `Bearer ${fresh.access_token}` }));
        }
    }
    withClientCredentials(request) {
        const body = (request.body ?? {});
        if (!this.clientId || body.client_id !== undefined || body.client_secret !== undefined)
            return request;
        return { ...request, body: { ...body, client_id: this.clientId, client_secret: this.clientSecret } };
    }
    adminAuthorization(request) {
        const admin = this.admin;
        if (!admin)
            throw new MachineAuthConfigurationError(`${request.operationId}() is an admin operation: pass admin credentials ({ email, password } or { apiKey })`);
        if ('apiKey' in admin)
            return `Bearer ${admin.apiKey}`;
        return `Basic ${Buffer.from(`${admin.email}:${admin.password}`, 'utf8').toString('base64')}`;
    }
}
/** The admin operations (and the public ones) with administrator or API-key credentials. */
export class MachineAuthAdminClient extends MachineAuthClient {
    constructor(options) {
        const { baseUrl, fetch, timeoutMs, headers } = options;
        const admin = 'apiKey' in options && options.apiKey
            ? { apiKey: options.apiKey }
            : 'email' in options && options.email
                ? { email: options.email, password: options.password }
                : undefined;
        if (!admin)
            throw new MachineAuthConfigurationError('MachineAuthAdminClient needs { email, password } or { apiKey }');
        super({ baseUrl, fetch, timeoutMs, headers, admin });
    }
}
