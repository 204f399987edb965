/** dataMasking({ logger }): log masking declared next to response masking (SPEC §6). */
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingUnsupportedTypeError } from '../../src/errors.js';
import { MaskingLogFormatter } from '../../src/logger.js';
import { dataMasking } from '../../src/middleware.js';
import { useKms } from './harness.js';

const fixture = useKms();

const captureStdout = async <T>(run: () => Promise<T>) => {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  const spyErr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    const result = await run().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    return { result, output: chunks.join('') };
  } finally {
    spy.mockRestore();
    spyErr.mockRestore();
  }
};

describe('dataMasking({ logger })', () => {
  test('a masking Powertools Logger is accepted and receives the failure line, masked', async () => {
    const logger = new Logger({
      serviceName: 'svc',
      logFormatter: new MaskingLogFormatter({ detectors: ['email'] }),
    });
    fixture.kms.throttle('GenerateDataKey', 5);
    const handler = middy(async () => ({
      statusCode: 200,
      body: JSON.stringify({ iban: 'DE89370400440532013000', contact: 'jane@example.com' }),
    })).use(
      dataMasking({
        masker: fixture.masker(),
        logger,
        encrypt: { fields: ['$.body.iban'], context: { tenant_id: 't' } },
      }),
    );
    const { result, output } = await captureStdout(() =>
      handler({ httpMethod: 'GET' } as never, {} as never),
    );
    // Withheld: KMS throttled, so 503 (SPEC §4.7).
    expect(result).toEqual({ value: expect.objectContaining({ statusCode: 503 }) });
    const lines = output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'ERROR', service: 'svc' });
    expect(lines[0].message).toContain('DataMaskingProviderUnavailableError');
    expect(output).not.toContain('DE89370400440532013000');
    expect(output).not.toContain('jane@example.com');
  });

  test('a Powertools Logger that does not mask is refused at cold start', () => {
    const logger = new Logger({ serviceName: 'svc' });
    expect(() => dataMasking({ masker: new DataMasking(), logger, erase: { fields: ['$.body.a'] } })).toThrow(
      DataMaskingUnsupportedTypeError,
    );
  });

  test('any logger with error(message) is used for the failure lines', async () => {
    const messages: string[] = [];
    const handler = middy(async () => ({ secret: 'x' })).use(
      dataMasking({
        masker: new DataMasking(),
        logger: { error: (message) => messages.push(message) },
        erase: {
          maskingRules: {
            secret: () => {
              throw new Error('rule failed for x');
            },
          },
        },
      }),
    );
    await expect(handler({ source: 'job' } as never, {} as never)).rejects.toBeDefined();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('withheld');
    expect(messages[0]).not.toContain('rule failed for x');
  });

  test('a logger without error() is refused', () => {
    expect(() =>
      dataMasking({ masker: new DataMasking(), logger: {} as never, erase: { fields: ['a'] } }),
    ).toThrow(DataMaskingUnsupportedTypeError);
  });
});
