/**
 * @machineauth/sdk: the MachineAuth API for agents and administrators, token verification for
 * resource servers and webhook verification for receivers.
 */
export { MachineAuthClient, MachineAuthAdminClient } from './clients.js';
export { MachineAuthOperations, OPERATION_AUTH } from './generated/operations.js';
export * from './generated/errors.js';
export { MachineAuthError, MachineAuthConnectionError, MachineAuthConfigurationError, InsufficientScopeError, WebhookSignatureError, } from './errors.js';
export { TokenManager, scopeKey } from './token-manager.js';
export { verifyToken, createTokenVerifier, requireAccessToken } from './verify-token.js';
export { verifyWebhook, WEBHOOK_HEADERS } from './verify-webhook.js';
