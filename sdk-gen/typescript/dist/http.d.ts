import { MachineAuthError } from './errors.ts';
export type OperationAuth = 'none' | 'client' | 'admin' | 'agent' | 'bearer';
/** One call of a contract operation, as the generated methods describe it. */
export interface OperationRequest {
    operationId: string;
    method: string;
    path: string;
    auth: OperationAuth;
    body?: object;
    /** Send the body form-urlencoded (the OAuth endpoints). */
    form?: boolean;
    query?: object;
}
export interface TransportOptions {
    baseUrl: string;
    /** Another fetch (a proxy agent, a test double); the global fetch by default. */
    fetch?: typeof fetch;
    /** Per attempt; 30 s by default. */
    timeoutMs?: number;
    /** Sent with every request (e.g. a tracing header). */
    headers?: Record<string, string>;
}
/** A path parameter, refusing values that would silently address another resource. */
export declare function pathSegment(value: string, name: string): string;
/** Turns a non-2xx response into the error class of its `error` code. */
export declare function errorFromResponse(response: Response): Promise<MachineAuthError>;
/** Sends one request and returns its JSON body (undefined for 204), or throws a MachineAuthError. */
export declare function sendRequest(options: TransportOptions, request: OperationRequest, headers: Record<string, string>): Promise<unknown>;
