import { Logger } from '@aws-lambda-powertools/logger';
import { MaskingLogFormatter } from '../../src/logger.js';

test('a real Logger prints masked entries', () => {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  const logger = new Logger({
    serviceName: 'svc',
    logFormatter: new MaskingLogFormatter({
      keys: ['password'],
      fields: ['$.order.card'],
      detectors: ['email'],
    }),
  });
  logger.appendPersistentKeys({ password: 'p1' });
  logger.info('contact jane@example.com', { order: { card: '4111 1111 1111 1111', id: 7 } });
  const error = new Error('failed for bob@example.com', {
    cause: new Error('password=hunter2 bob@example.com'),
  });
  logger.error('boom', error);
  write.mockRestore();
  const out = lines.join('');
  console.log(out);
  expect(out).not.toContain('jane@example.com');
  expect(out).not.toContain('bob@example.com');
  expect(out).not.toContain('4111');
  expect(out).not.toContain('p1');
});
