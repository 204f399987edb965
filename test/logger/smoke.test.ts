/**
 * Smoke test: a real Powertools Logger with `MaskingLogFormatter` masks keys, fields and detected strings
 * in a message, an extra object, persistent keys and an error with a cause. The full matrix is in the
 * other files of this folder.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MaskingLogFormatter } from '../../src/logger.js';
import { expectNoSecrets, MASK, useLoggerEnv, useOutput } from './support.js';

useLoggerEnv();
const out = useOutput();

test('a real Logger prints masked entries', () => {
  const logger = new Logger({
    serviceName: 'svc',
    logFormatter: new MaskingLogFormatter({
      keys: ['password'],
      fields: ['$.order.card'],
      detectors: ['email'],
    }),
  });
  logger.appendPersistentKeys({ password: 'p1-persistent' });
  logger.info('contact jane@example.com', { order: { card: '4111 1111 1111 1111', id: 7 } });
  const error = new Error('failed for bob@example.com', {
    cause: new Error('password=hunter2 bob@example.com'),
  });
  logger.error('boom', error);
  const [info, failure] = out.entries();
  expect(info).toMatchObject({ message: `contact ${MASK}`, password: MASK, order: { card: MASK, id: 7 } });
  expect(failure).toMatchObject({
    level: 'ERROR',
    password: MASK,
    error: { message: `failed for ${MASK}`, cause: { message: expect.stringContaining(MASK) } },
  });
  expectNoSecrets(out.text(), [
    'jane@example.com',
    'bob@example.com',
    '4111 1111 1111 1111',
    'p1-persistent',
  ]);
});
