// HTTP/2 answers carry no reason phrase, so the common ones are spelt out here.
const reasons: Readonly<Record<number, string>> = Object.freeze({
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
});

/** "401 Unauthorized": the status and its reason phrase. */
export function statusLine(status: number, statusText: string): string {
  const reason = statusText.trim() || reasons[status] || '';
  return `${status} ${reason}`.trim();
}

/**
 * What the call to the other origin proves. The public client attaches its token only to the API's
 * own prefix, so the same API under another origin must answer 401 (no token).
 */
export function describeForeignAnswer(status: number, statusText: string, origin: string): string {
  const line = statusLine(status, statusText);
  if (status === 401) return `${line}: no token was sent to ${origin}, as expected.`;
  if (status >= 200 && status < 300) return `${line}: ${origin} answered without asking for a token.`;
  return `${line} from ${origin}.`;
}
