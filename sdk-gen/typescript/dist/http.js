import { MachineAuthConnectionError, MachineAuthError } from './errors.js';
import { ERROR_CLASSES } from './generated/errors.js';
/** A path parameter, refusing values that would silently address another resource. */
export function pathSegment(value, name) {
    if (typeof value !== 'string' || value === '')
        throw new TypeError(`${name} must be a non-empty string`);
    return encodeURIComponent(value);
}
function queryString(query) {
    if (!query)
        return '';
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
        if (value === undefined || value === null)
            continue;
        params.append(key, String(value));
    }
    const text = params.toString();
    return text ? `?${text}` : '';
}
function formBody(body) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(body)) {
        if (value === undefined || value === null)
            continue;
        params.append(key, Array.isArray(value) ? value.join(' ') : String(value));
    }
    return params.toString();
}
/** Turns a non-2xx response into the error class of its `error` code. */
export async function errorFromResponse(response) {
    const text = await response.text().catch(() => '');
    let code;
    let description;
    try {
        const body = JSON.parse(text);
        if (typeof body.error === 'string')
            code = body.error;
        if (typeof body.error_description === 'string')
            description = body.error_description;
    }
    catch {
        // Not our JSON error body (a proxy's error page, say): described by its status below.
    }
    const status = response.status;
    if (!code)
        return new MachineAuthError(status >= 500 ? 'server_error' : 'http_error', `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`, { status });
    const ErrorClass = ERROR_CLASSES[code];
    return ErrorClass ? new ErrorClass(description ?? code, { status }) : new MachineAuthError(code, description ?? code, { status });
}
/** Sends one request and returns its JSON body (undefined for 204), or throws a MachineAuthError. */
export async function sendRequest(options, request, headers) {
    const url = `${options.baseUrl.replace(/\/+$/, '')}${request.path}${queryString(request.query)}`;
    const allHeaders = { accept: 'application/json', ...options.headers, ...headers };
    let body;
    if (request.body !== undefined) {
        if (request.form) {
            body = formBody(request.body);
            allHeaders['content-type'] = 'application/x-www-form-urlencoded';
        }
        else {
            body = JSON.stringify(request.body);
            allHeaders['content-type'] = 'application/json';
        }
    }
    let response;
    try {
        response = await (options.fetch ?? fetch)(url, {
            method: request.method,
            headers: allHeaders,
            body,
            signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        });
    }
    catch (error) {
        const timedOut = error?.name === 'TimeoutError';
        throw new MachineAuthConnectionError(timedOut ? `${request.method} ${url} timed out` : `${request.method} ${url} failed: ${error?.message ?? error}`, { cause: error });
    }
    if (!response.ok)
        throw await errorFromResponse(response);
    if (response.status === 204)
        return undefined;
    const text = await response.text();
    if (!text)
        return undefined;
    try {
        return JSON.parse(text);
    }
    catch (error) {
        throw new MachineAuthError('invalid_response', `${request.method} ${request.path} answered ${response.status} with a body that is not JSON`, { status: response.status, cause: error });
    }
}
