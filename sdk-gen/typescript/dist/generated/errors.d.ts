import { MachineAuthError, type MachineAuthErrorOptions } from '../errors.ts';
/** The server answered `invalid_request`. */
export declare class InvalidRequestError extends MachineAuthError {
    constructor(description?: string, options?: MachineAuthErrorOptions);
}
/** The server answered `invalid_client`. */
export declare class InvalidClientError extends MachineAuthError {
    constructor(description?: string, options?: MachineAuthErrorOptions);
}
/** The server answered `invalid_grant`. */
export declare class InvalidGrantError extends MachineAuthError {
    constructor(description?: string, options?: MachineAuthErrorOptions);
}
/** The server answered `invalid_scope`. */
export declare class InvalidScopeError extends MachineAuthError {
    constructor(description?: string, options?: MachineAuthErrorOptions);
}
/** The server answered `unsupported_grant_type`. */
export declare class UnsupportedGrantTypeError extends MachineAuthError {
    constructor(description?: string, options?: MachineAuthErrorOptions);
}
/** The server answered `unsupported_token_type`. */
export declare class UnsupportedTokenTypeError extends MachineAuthError {
    constructor(description?: string, options?: MachineAuthErrorOptions);
}
/** The server answered `invalid_token`. */
export declare class InvalidTokenError extends MachineAuthError {
    constructor(description?: string, options?: MachineAuthErrorOptions);
}
/** The server answered `unauthorized`. */
export declare class UnauthorizedError extends MachineAuthError {
    constructor(description?: string, options?: MachineAuthErrorOptions);
}
/** The server answered `forbidden`. */
export declare class ForbiddenError extends MachineAuthError {
    constructor(description?: string, options?: MachineAuthErrorOptions);
}
/** The server answered `not_found`. */
export declare class NotFoundError extends MachineAuthError {
    constructor(description?: string, options?: MachineAuthErrorOptions);
}
/** The server answered `method_not_allowed`. */
export declare class MethodNotAllowedError extends MachineAuthError {
    constructor(description?: string, options?: MachineAuthErrorOptions);
}
/** The server answered `conflict`. */
export declare class ConflictError extends MachineAuthError {
    constructor(description?: string, options?: MachineAuthErrorOptions);
}
/** The server answered `server_error`. */
export declare class ServerError extends MachineAuthError {
    constructor(description?: string, options?: MachineAuthErrorOptions);
}
/** The server answered `temporarily_unavailable`. */
export declare class TemporarilyUnavailableError extends MachineAuthError {
    constructor(description?: string, options?: MachineAuthErrorOptions);
}
/** The error class of each code the server answers with. */
export declare const ERROR_CLASSES: Record<string, new (description?: string, options?: MachineAuthErrorOptions) => MachineAuthError>;
