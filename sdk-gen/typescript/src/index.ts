/**
 * @machineauth/sdk: the MachineAuth API for agents and administrators, token verification for
 * resource servers and webhook verification for receivers.
 */
export { MachineAuthClient, MachineAuthAdminClient, type MachineAuthClientOptions, type MachineAuthAdminClientOptions, type AdminCredentials } from './clients.ts';
export { MachineAuthOperations, OPERATION_AUTH } from './generated/operations.ts';
export type * from './generated/types.ts';
export * from './generated/errors.ts';
export {
  MachineAuthError,
  MachineAuthConnectionError,
  MachineAuthConfigurationError,
  InsufficientScopeError,
  WebhookSignatureError,
  type MachineAuthErrorOptions,
} from './errors.ts';
export { TokenManager, scopeKey, type TokenManagerOptions, type TokenSource } from './token-manager.ts';
export { verifyToken, createTokenVerifier, requireAccessToken, type AccessTokenClaims, type VerifyTokenOptions, type TokenVerifier, type MiddlewareRequest, type MiddlewareResponse } from './verify-token.ts';
export { verifyWebhook, WEBHOOK_HEADERS, type VerifyWebhookOptions, type WebhookDelivery, type WebhookHeaders } from './verify-webhook.ts';
export type { OperationRequest, OperationAuth, TransportOptions } from './http.ts';
