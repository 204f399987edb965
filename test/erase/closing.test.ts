/**
 * Closing what was opened (SPEC §4.7): an untouched JSON text goes back byte for byte only when it shows
 * exactly what it parsed to; text a path must look into is scanned; a Buffer's JSON form is opened; a
 * toJSON that moves a selected field under another name is refused.
 */
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingUnsupportedTypeError } from '../../src/errors.js';

const masker = new DataMasking({ throwOnMissingField: false });
const EMAIL = 'jane.doe@example.com';

test('a duplicate key whose last value is already masked: the text is written again, the first value gone', () => {
  const body = `{"email":"${EMAIL}","email":"*****","id":7}`;
  const out = masker.erase({ statusCode: 200, body }, { fields: ['$.body.email'] });
  expect(out.body).not.toContain(EMAIL);
  expect(JSON.parse(out.body)).toEqual({ email: '*****', id: 7 });
});

test('an untouched body with a JSON string inside, pretty-printed, comes back byte for byte', () => {
  const body = `{\n  "inner": ${JSON.stringify(JSON.stringify({ a: 1, b: [1.5, 'x'] }))},\n  "n": 1.0\n}`;
  const input = { statusCode: 200, body };
  const out = masker.erase(input, { fields: ['$..email'] });
  expect(out.body).toBe(body);
  expect(out).toBe(input);
});

test('a text/plain body a path must look into is scanned by every built-in detector', () => {
  const input = { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: `email: ${EMAIL}\nok` };
  const out = masker.erase(input, { fields: ['$.body.email'] });
  expect(out.body).toBe('email: *****\nok');
  const prose = { ...input, body: 'all good' };
  expect(masker.erase(prose, { fields: ['$.body.email'] })).toBe(prose);
});

test("a Buffer serialized by JSON.stringify ({type:'Buffer',data}) is opened, masked and written back in that form", () => {
  const body = JSON.stringify(Buffer.from(JSON.stringify({ email: EMAIL, id: 1 })));
  const out = masker.erase({ statusCode: 200, body }, { fields: ['$.body.email'] });
  const parsed = JSON.parse(out.body) as { type: string; data: number[] };
  expect(parsed.type).toBe('Buffer');
  expect(JSON.parse(Buffer.from(parsed.data).toString('utf8'))).toEqual({ email: '*****', id: 1 });
});

test('a toJSON that moves a selected field under another name is refused; one that drops it is fine', () => {
  const moving = { email: EMAIL, toJSON: () => ({ mail: EMAIL }) };
  expect(() => masker.erase({ user: moving }, { fields: ['$.user.email'] })).toThrow(
    DataMaskingUnsupportedTypeError,
  );
  const dropping = { email: EMAIL, name: 'Jane', toJSON: () => ({ name: 'Jane' }) };
  expect(masker.erase({ user: dropping }, { fields: ['$.user.email'] })).toEqual({ user: dropping });
});
