import { KeyMatcher, normalizedKey } from '../../src/policy/key-matcher.js';

describe('KeyMatcher', () => {
  test('one key whatever its case and separators', () => {
    const keys = new KeyMatcher(['x-api-key', 'password']);
    for (const k of ['x-api-key', 'X_API_KEY', 'xApiKey', 'x.api key', 'XAPIKEY', 'Password', 'PASS_WORD']) {
      expect(keys.matches(k)).toBe(true);
    }
    for (const k of ['api', 'x-api-keys', 'passwd', '']) expect(keys.matches(k)).toBe(false);
    expect(normalizedKey('X-Api_Key.v 2')).toBe('xapikeyv2');
  });

  test('exact names when asked; RegExps tested as written, their lastIndex never carried', () => {
    const exact = new KeyMatcher(['Token'], true);
    expect(exact.matches('Token')).toBe(true);
    expect(exact.matches('token')).toBe(false);
    const pattern = new KeyMatcher([/secret/gi]);
    expect(pattern.matches('clientSecret')).toBe(true);
    expect(pattern.matches('client_secret')).toBe(true);
    expect(pattern.matches('clientSecret')).toBe(true); // a global RegExp would fail the second time
    expect(pattern.matches('name')).toBe(false);
  });

  test('bad configuration is refused', () => {
    expect(() => new KeyMatcher('password' as never)).toThrow("'keys' must be an array");
    expect(() => new KeyMatcher([''])).toThrow('non-empty key names');
    expect(() => new KeyMatcher([42 as never])).toThrow('non-empty key names');
  });
});
