/** An API call answered with an error other than 401 (which the SDK turns into `LoginRequiredError`). */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    /** The body's `error` (`invalid_request`, `not_found`, …), else `http_<status>`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Returns the response when it is a success; otherwise throws an {@link ApiError} that reads well. */
export async function expectOk(response: Response): Promise<Response> {
  if (response.ok) return response;
  const body = (await response.json().catch(() => ({}))) as { error?: unknown; message?: unknown };
  const code = typeof body.error === 'string' ? body.error : `http_${response.status}`;
  const detail = typeof body.message === 'string' ? body.message : undefined;
  throw new ApiError(response.status, code, explainStatus(response.status, detail));
}

function explainStatus(status: number, detail: string | undefined): string {
  if (status === 400) return detail ? `The server refused the input: ${detail}.` : 'The server refused the input.';
  if (status === 403) return 'You are not allowed to do this.';
  if (status === 404) return 'That item no longer exists; it may have been deleted in another tab.';
  if (status === 502 || status === 504) return 'The API did not answer in time. Please try again in a moment.';
  if (status === 503) return 'The service is temporarily unavailable. Please try again in a moment.';
  if (status >= 500) return 'Something went wrong on the server. Please try again.';
  return `The request failed (HTTP ${status}).`;
}

/** True for the rejection of a fetch cancelled because the user navigated away. */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** A message and a stable code for anything a page's work can throw. */
export function describeFailure(error: unknown): { message: string; code: string } {
  if (error instanceof ApiError) return { message: error.message, code: error.code };
  // fetch rejects with a TypeError when no answer arrives at all.
  if (error instanceof TypeError) {
    return { message: 'The server could not be reached. Check your connection and try again.', code: 'network_error' };
  }
  return { message: 'Something unexpected went wrong. Please reload the page.', code: 'unexpected' };
}
