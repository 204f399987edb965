/**
 * Issue 12: `keys`, `allow` and `secrets` in erase — the options every surface shares.
 */
import fc from 'fast-check';
import { DataMasking } from '../../src/data-masking.js';
import { DEFAULT_MASK } from '../../src/erase/constants.js';
import { eraseOptionsKey } from '../../src/erase/options-key.js';
import { DataMaskingUnsupportedTypeError } from '../../src/errors.js';
import { deepFreeze } from '../support/deep-freeze.js';

const masker = new DataMasking({ throwOnMissingField: false });
const M = DEFAULT_MASK;

describe('keys', () => {
  test('a value under a key is masked whole, at any depth, whatever the spelling of the key', () => {
    const data = deepFreeze({
      headers: { 'X-Api-Key': 'k1', Authorization: 'Bearer abc' },
      env: { X_API_KEY: 'k2' },
      nested: [{ xApiKey: { deep: ['k3'] } }],
      name: 'Jane',
    });
    expect(masker.erase(data, { keys: ['x-api-key', 'authorization'] })).toEqual({
      headers: { 'X-Api-Key': M, Authorization: M },
      env: { X_API_KEY: M },
      nested: [{ xApiKey: M }],
      name: 'Jane',
    });
  });

  test('inside JSON strings too; the string stays a string', () => {
    const data = { body: JSON.stringify({ user: { password: 'hunter2!' }, id: 7 }) };
    const out = masker.erase(data, { keys: ['password'] });
    expect(JSON.parse(out.body)).toEqual({ user: { password: M }, id: 7 });
  });

  test('caseSensitiveKeys: names as written', () => {
    expect(masker.erase({ Token: 'a', token: 'b' }, { keys: ['token'], caseSensitiveKeys: true })).toEqual({
      Token: 'a',
      token: M,
    });
  });

  test('keys alone never mask the whole payload', () => {
    expect(masker.erase({ a: 1, b: 'x' }, { keys: ['password'] })).toEqual({ a: 1, b: 'x' });
  });
});

describe('allow', () => {
  const event = deepFreeze({
    requestId: 'r-1',
    user: { id: 42, email: 'jane@example.com', roles: ['admin'] },
    items: [{ sku: 'A-1', note: 'call me on 555' }],
  });

  test('every leaf not allowed is masked; keys and shapes stay readable', () => {
    expect(masker.erase(event, { allow: { fields: ['requestId', 'items[*].sku'], keys: ['id'] } })).toEqual({
      requestId: 'r-1',
      user: { id: 42, email: M, roles: [M] },
      items: [{ sku: 'A-1', note: M }],
    });
  });

  test('an allowed node keeps what is below it; deny wins: keys, fields and detectors still mask', () => {
    expect(
      masker.erase(event, {
        allow: { fields: ['user'] },
        keys: ['roles'],
        fields: ['user.id'],
        detectors: ['email'],
      }),
    ).toEqual({ requestId: M, user: { id: M, email: M, roles: M }, items: [{ sku: M, note: M }] });
  });

  test('unknown allow options and bad shapes are refused', () => {
    expect(() => masker.erase(event, { allow: { field: ['a'] } as never })).toThrow(
      DataMaskingUnsupportedTypeError,
    );
    expect(() => masker.erase(event, { allow: ['a'] as never })).toThrow(DataMaskingUnsupportedTypeError);
  });

  test('property: in allow-list mode with nothing allowed, no leaf survives', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (data) => {
        const out = masker.erase(data, { allow: { fields: [] } });
        const leaves = (v: unknown): unknown[] =>
          v !== null && typeof v === 'object' ? Object.values(v).flatMap(leaves) : [v];
        // A string holding JSON is opened and closed again as JSON: its own leaves are masked inside it.
        const masked = (leaf: unknown): boolean => {
          if (leaf === M) return true;
          if (typeof leaf !== 'string') return false;
          try {
            return leaves(JSON.parse(leaf)).every(masked);
          } catch {
            return false;
          }
        };
        for (const leaf of leaves(out)) expect(masked(leaf)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('secrets', () => {
  test('masked whole or inside strings, in keys too, inside JSON strings', () => {
    const secret = 'p@ssw0rd-42';
    const data = { a: secret, b: `login with ${secret} now`, [secret]: 1, c: JSON.stringify({ d: secret }) };
    const out = masker.erase(data, { secrets: [secret] });
    expect(JSON.stringify(out)).not.toContain(secret);
    expect(out.b).toBe(`login with ${M} now`);
  });

  test('too short a secret is refused without being quoted', () => {
    expect(() => masker.erase({}, { secrets: ['abc'] })).toThrow(/at least 4 characters/);
  });
});

describe('the options cache key', () => {
  test('new options change the key; secrets never appear in it', () => {
    const base = { fields: ['a'] };
    const keys = [
      eraseOptionsKey(base),
      eraseOptionsKey({ ...base, keys: ['x'] }),
      eraseOptionsKey({ ...base, keys: [/x/] }),
      eraseOptionsKey({ ...base, caseSensitiveKeys: true }),
      eraseOptionsKey({ ...base, allow: { fields: ['a'] } }),
      eraseOptionsKey({ ...base, allow: { keys: ['a'] } }),
      eraseOptionsKey({ ...base, secrets: ['secret-one'] }),
      eraseOptionsKey({ ...base, secrets: ['secret-two'] }),
      eraseOptionsKey({ ...base, keep: { last: 4 } } as never),
      eraseOptionsKey({ ...base, keep: { last: 2 } } as never),
      eraseOptionsKey({ ...base, digits: 'mask' } as never),
    ];
    expect(keys.every((k) => k !== undefined)).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.some((k) => k?.includes('secret-one'))).toBe(false);
  });

  test('a cached eraser is not reused for other keep counts', () => {
    expect(masker.erase({ c: '12345678' }, { fields: ['c'], keep: { last: 4 } } as never)).toEqual({
      c: '****5678',
    });
    expect(masker.erase({ c: '12345678' }, { fields: ['c'], keep: { last: 2 } } as never)).toEqual({
      c: '******78',
    });
  });
});
