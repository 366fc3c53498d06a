import { describe, expect, it } from 'vitest';
import { describeForeignAnswer, statusLine } from '../../src/public-client/answer-text.js';

describe('public-client answers', () => {
  it('writes a status line even when HTTP/2 gives no reason phrase', () => {
    expect(statusLine(401, 'Unauthorized')).toBe('401 Unauthorized');
    expect(statusLine(401, '')).toBe('401 Unauthorized');
    expect(statusLine(418, '')).toBe('418');
  });

  it('starts the other-origin result with the status the test looks for', () => {
    expect(describeForeignAnswer(401, '', 'http://127.0.0.1:5000')).toMatch(/^401 Unauthorized/);
    expect(describeForeignAnswer(200, 'OK', 'http://127.0.0.1:5000')).toMatch(/^200 OK/);
  });
});
