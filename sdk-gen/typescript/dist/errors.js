/**
 * Every error the SDK throws. `code` is the server's `error` (RFC 6749 style) or one of the
 * SDK's own (`connection_error`, `configuration_error`, `insufficient_scope`,
 * `invalid_signature`); `description` is the server's `error_description`.
 */
export class MachineAuthError extends Error {
    code;
    description;
    status;
    reason;
    constructor(code, description, options = {}) {
        super(`${code}: ${description}`, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = new.target.name;
        this.code = code;
        this.description = description;
        this.status = options.status;
        this.reason = options.reason;
    }
}
/** The server could not be reached, or did not answer in time. */
export class MachineAuthConnectionError extends MachineAuthError {
    constructor(description, options = {}) {
        super('connection_error', description, options);
    }
}
/** The client lacks what an operation needs (e.g. admin credentials for an admin operation). */
export class MachineAuthConfigurationError extends MachineAuthError {
    constructor(description) {
        super('configuration_error', description);
    }
}
/** RFC 6750 §3.1: the token is valid but lacks a required scope. */
export class InsufficientScopeError extends MachineAuthError {
    missingScopes;
    constructor(missingScopes) {
        super('insufficient_scope', `the token lacks scope ${missingScopes.join(' ')}`, { status: 403 });
        this.missingScopes = missingScopes;
    }
}
/** A webhook delivery whose signature or timestamp does not check out. */
export class WebhookSignatureError extends MachineAuthError {
    constructor(reason, description) {
        super('invalid_signature', description, { reason });
    }
}
