/**
 * The leak check itself: `expectNoSecrets` must find a secret in every form the matrix relies on it to
 * find (raw, JSON-escaped, inside a JSON string body, base64, without or with other separators), and must
 * not flag masked output. Without this, a passing matrix could mean a blind check.
 */
import { expectNoSecrets, MASK, S } from './support.js';

const line = (value: unknown) => JSON.stringify(value);

describe('expectNoSecrets', () => {
  test.each([
    ['raw', `plain text ${S.email}`],
    ['a JSON value', line({ a: { b: [S.email] } })],
    ['a JSON-escaped value (quotes and backslashes)', line({ password: S.password })],
    ['a JSON string body inside a JSON line', line({ event: { body: JSON.stringify({ p: S.password }) } })],
    ['a body escaped twice', line({ m: JSON.stringify({ body: JSON.stringify({ p: S.password }) }) })],
    ['a base64 body', line({ body: Buffer.from(JSON.stringify({ p: S.password })).toString('base64') })],
    ['a stack string', line({ error: { stack: `Error: x ${S.password}\n    at f (file.js:1:1)` } })],
    ['a key name', line({ [S.email]: 1 })],
    ['a card without separators', line({ n: '4111111111111111' })],
    ['a card with other separators', line({ n: '4111-1111-1111-1111' })],
    ['an SSN without dashes', line({ n: 123456789 })],
  ])('finds a secret in %s', (_label, text) => {
    expect(() => expectNoSecrets(text, [S.email, S.password, S.card, S.ssn])).toThrow(/leaked/);
  });

  test('passes masked output and unrelated numbers', () => {
    const text = [
      line({ message: `contact ${MASK}`, card: MASK, body: JSON.stringify({ p: MASK }) }),
      line({
        timestamp: '2026-01-01T12:34:56.789Z',
        amount: 1234.56,
        id: '9f4c2b1e-0d7a-4a8e-9a51-2b8c1f0e7d33',
      }),
    ].join('\n');
    expect(() => expectNoSecrets(text, [S.email, S.password, S.card, S.ssn])).not.toThrow();
  });
});
