/**
 * Issue 13 (started): the token format `tok_<keyVersion>_<base64url>`.
 */
import fc from 'fast-check';
import { findTokens, formatToken, isTokenVersion, parseToken } from '../../src/tokens/token-format.js';

const version = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
const sealed = fc.uint8Array({ minLength: 17, maxLength: 64 });

test('format and parse are inverse, whatever underscores and dashes the body holds', () => {
  fc.assert(
    fc.property(version, sealed, (v, s) => {
      const token = formatToken(v, s);
      expect(token.startsWith(`tok_${v}_`)).toBe(true);
      const parsed = parseToken(token);
      expect(parsed?.version).toBe(v);
      expect(parsed?.sealed.equals(Buffer.from(s))).toBe(true);
    }),
  );
});

test('malformed tokens parse to nothing', () => {
  const good = formatToken('v1', new Uint8Array(20).fill(7));
  for (const bad of [
    '',
    'tok_',
    'tok_v1',
    'tok_v1_',
    'tok__AAAAAAAAAAAAAAAAAAAAAAAAAAA',
    'tok_v-1_AAAAAAAAAAAAAAAAAAAAAAAAAAA',
    'tok_v1_short',
    `${good}=`,
    `${good.slice(0, -1)}!`,
    `xtok_${good.slice(4)}`,
  ]) {
    expect(parseToken(bad)).toBeUndefined();
  }
  // A body that is not the canonical encoding of its bytes (the last character's spare bits set).
  const body = good.slice('tok_v1_'.length);
  const last = body.at(-1) as string;
  const other = last === 'A' ? 'B' : 'A';
  expect(
    parseToken(`tok_v1_${body.slice(0, -1)}${other}`)?.sealed.equals(Buffer.from(new Uint8Array(20).fill(7))),
  ).not.toBe(true);
  expect(isTokenVersion('v2')).toBe(true);
  expect(isTokenVersion('v_2')).toBe(false);
});

test('tokens are found in free text and logs, not inside other words', () => {
  const a = formatToken('v1', new Uint8Array(18).fill(1));
  const b = formatToken('v2', new Uint8Array(30).fill(255));
  const text = `user ${a} bought, see "${b}"; not xtok_v1_${'A'.repeat(30)}`;
  expect(findTokens(text).map((t) => t.token)).toEqual([a, b]);
  const [first] = findTokens(text);
  expect(text.slice(first.start, first.end)).toBe(a);
});
