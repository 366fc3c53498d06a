import { describe, expect, it } from 'vitest';
import { maxClientIdLength, parseParams } from '../../src/primitives/params.js';
import { OAuthError } from '../../src/protocol/errors.js';

function refusal(read: () => unknown): string | undefined {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    return (error as OAuthError).code;
  }
  return undefined;
}

describe('parseParams', () => {
  it.each([
    ['SOH', '%01'],
    ['a raw tab', '\t'],
    ['CR LF', '%0D%0A'],
    ['DEL', '%7F'],
    ['a C1 control (NEL)', '%C2%85'],
  ])('makes a parameter with %s unreadable, and leaves the others readable', (_label, control) => {
    const params = parseParams(`client_id=web${control}app&scope=openid`);
    expect(refusal(() => params.get('client_id'))).toBe('invalid_request');
    expect(params.isUnreadable('client_id')).toBe(true);
    expect(params.toObject()).toEqual({ scope: 'openid' });
    expect(params.get('scope')).toBe('openid');
  });

  it('refuses the whole request for a NUL', () => {
    expect(refusal(() => parseParams('scope=openid&x=a%00b'))).toBe('invalid_request');
  });

  it('reads a state with control characters, since it is only echoed back', () => {
    expect(parseParams('state=x%0D%0Ay').get('state')).toBe('x\r\ny');
  });

  it('bounds identifiers far below other parameters', () => {
    const params = parseParams(
      `client_id=${'c'.repeat(maxClientIdLength + 1)}&audience_client_id=${'a'.repeat(256)}&email=${'e'.repeat(255)}&state=${'s'.repeat(2048)}`,
    );
    for (const name of ['client_id', 'audience_client_id', 'email'])
      expect(refusal(() => params.get(name))).toBe('invalid_request');
    expect(params.get('state')).toHaveLength(2048);
    expect(parseParams(`client_id=${'c'.repeat(maxClientIdLength)}`).get('client_id')).toHaveLength(maxClientIdLength);
  });

  it('never echoes a hostile parameter name in its refusal', () => {
    const params = parseParams('a%01%22b=1');
    let description = '';
    try {
      params.get('a\u0001"b');
    } catch (error) {
      description = (error as OAuthError).description;
    }
    expect(description).not.toMatch(/[\u0000-\u001f"]/);
  });
});
