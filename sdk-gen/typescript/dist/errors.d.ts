export interface MachineAuthErrorOptions {
    /** The HTTP status, when the error came from a response. */
    status?: number;
    /** A finer reason (token verification: `expired`, `audience`…; webhooks: `bad_signature`…). */
    reason?: string;
    cause?: unknown;
}
/**
 * Every error the SDK throws. `code` is the server's `error` (RFC 6749 style) or one of the
 * SDK's own (`connection_error`, `configuration_error`, `insufficient_scope`,
 * `invalid_signature`); `description` is the server's `error_description`.
 */
export declare class MachineAuthError extends Error {
    readonly code: string;
    readonly description: string;
    readonly status?: number;
    readonly reason?: string;
    constructor(code: string, description: string, options?: MachineAuthErrorOptions);
}
/** The server could not be reached, or did not answer in time. */
export declare class MachineAuthConnectionError extends MachineAuthError {
    constructor(description: string, options?: MachineAuthErrorOptions);
}
/** The client lacks what an operation needs (e.g. admin credentials for an admin operation). */
export declare class MachineAuthConfigurationError extends MachineAuthError {
    constructor(description: string);
}
/** RFC 6750 §3.1: the token is valid but lacks a required scope. */
export declare class InsufficientScopeError extends MachineAuthError {
    readonly missingScopes: string[];
    constructor(missingScopes: string[]);
}
/** A webhook delivery whose signature or timestamp does not check out. */
export declare class WebhookSignatureError extends MachineAuthError {
    constructor(reason: 'missing_header' | 'bad_signature' | 'stale_timestamp', description: string);
}
