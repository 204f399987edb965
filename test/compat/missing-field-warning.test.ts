/**
 * Issue 10: with `throwOnMissingField: false`, a skipped expression is reported once per call with
 * Powertools' message, through `console.warn`; the masks the middleware and the logger use inside stay
 * quiet (events and responses vary). With it on, the error carries Powertools' message.
 */
import middy from '@middy/core';
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingFieldNotFoundError } from '../../src/errors.js';
import { dataMasking } from '../../src/middleware.js';

let warn: jest.SpyInstance;
beforeEach(() => {
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => warn.mockRestore());

test.each([true, false])('erase warns once per skipped expression (fast path %s)', (fast) => {
  const masker = new DataMasking({ throwOnMissingField: false });
  const fields = fast ? ['a', 'nonexistent', 'missing.deep'] : ['$[?@.x]', 'nonexistent', 'items[*].card'];
  masker.erase({ a: 1, items: [{ card: '4111' }] }, { fields });
  const messages = warn.mock.calls.map((call) => call[0]);
  expect(messages).toContain("Field not found: 'nonexistent'");
  expect(messages.filter((m) => m === "Field not found: 'nonexistent'")).toHaveLength(1);
  expect(messages).not.toContain("Field not found: 'a'");
  expect(messages).not.toContain("Field not found: 'items[*].card'");
});

test('encrypt and decrypt warn too, before any provider call', async () => {
  const provider = { encrypt: jest.fn(async (d: string) => d), decrypt: jest.fn(async (d: string) => d) };
  const masker = new DataMasking({ provider, throwOnMissingField: false });
  await masker.encrypt({ a: 'x' }, { fields: ['a', 'nonexistent'] });
  expect(warn).toHaveBeenCalledWith("Field not found: 'nonexistent'");
  expect(provider.encrypt).toHaveBeenCalledTimes(1);
  // As Powertools calls it: the plaintext and the context as given (none here), nothing after.
  expect(provider.encrypt).toHaveBeenCalledWith('"x"', undefined);
  expect(provider.encrypt.mock.calls[0]).toHaveLength(2);
});

test("throwOnMissingField on: Powertools' message", () => {
  expect(() => new DataMasking().erase({ a: 1 }, { fields: ['nonexistent'] })).toThrow(
    new DataMaskingFieldNotFoundError('nonexistent'),
  );
  expect(() => new DataMasking().erase({ a: 1 }, { fields: ['nonexistent'] })).toThrow(
    "Field not found: 'nonexistent'",
  );
  expect(warn).not.toHaveBeenCalled();
});

test('the middleware skips missing fields without a warning', async () => {
  const handler = middy(async () => ({ statusCode: 200, body: '{"a":1}' })).use(
    dataMasking({ erase: { fields: ['$.body.email', '$.nothing'] } }),
  );
  await handler({ httpMethod: 'GET', headers: {} }, {} as never);
  expect(warn).not.toHaveBeenCalled();
});

test('a configured logger gets the warning instead of console.warn', () => {
  const logged: string[] = [];
  const masker = new DataMasking({ throwOnMissingField: false, logger: { warn: (m) => logged.push(m) } });
  masker.erase({ a: 1 }, { fields: ['nonexistent'] });
  expect(logged).toEqual(["Field not found: 'nonexistent'"]);
  expect(warn).not.toHaveBeenCalled();
  expect(() => new DataMasking({ logger: {} as never })).toThrow("'logger' must have a warn(message) method");
});
