/**
 * HTTP APIs and Function URLs send a result without `statusCode` as the body itself. `dataMasking` masks
 * it as a document (`$.email`) and, for the expressions that start at `body`, as the body of a 200
 * (`$.body.email`); each expression applies once (a hash or hmac is never applied twice).
 */
import { createHash } from 'node:crypto';
import middy from '@middy/core';
import { dataMasking } from '../../src/middleware.js';
import { httpEvent, invoke } from './events.js';

const EMAIL = 'jane.doe@example.com';
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const stack = (erase: Parameters<typeof dataMasking>[0]['erase']) =>
  middy(async () => ({ email: EMAIL, nested: { email: EMAIL }, name: 'Jane' })).use(dataMasking({ erase }));

test.each([
  ['$.email', { fields: ['$.email'] }, { email: '*****', nested: { email: EMAIL }, name: 'Jane' }],
  ['$.body.email', { fields: ['$.body.email'] }, { email: '*****', nested: { email: EMAIL }, name: 'Jane' }],
  [
    '$..email with a hash, applied once',
    { maskingRules: { '$..email': { hash: 'sha256' as const } } },
    { email: sha256(EMAIL), nested: { email: sha256(EMAIL) }, name: 'Jane' },
  ],
  [
    '$.body.email and $.nested.email hashed, each once',
    {
      maskingRules: {
        '$.body.email': { hash: 'sha256' as const },
        '$.nested.email': { hash: 'sha256' as const },
      },
    },
    { email: sha256(EMAIL), nested: { email: sha256(EMAIL) }, name: 'Jane' },
  ],
])('an HTTP API result without statusCode, %s', async (_, erase, expected) => {
  const result = await invoke(stack(erase), httpEvent('httpV2Jwt', { tenant: 't' }));
  expect(result).toEqual(expected);
});

test('a bare JSON string result, $.body.email', async () => {
  const handler = middy(async () => JSON.stringify({ email: EMAIL, id: 1 })).use(
    dataMasking({ erase: { fields: ['$.body.email'] } }),
  );
  const result = await invoke<string>(handler, httpEvent('functionUrl', { tenant: 't' }));
  expect(JSON.parse(result)).toEqual({ email: '*****', id: 1 });
});

test('a plain (non-HTTP) event result is a document only', async () => {
  const handler = middy(async () => ({ body: { email: EMAIL }, email: EMAIL })).use(
    dataMasking({ erase: { fields: ['$.body.email'] } }),
  );
  await expect(invoke(handler, { source: 'aws.events' })).resolves.toEqual({
    body: { email: '*****' },
    email: EMAIL,
  });
});
