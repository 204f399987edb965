/**
 * Configuration errors surface at cold start: dataMasking() itself throws, before any request and without
 * calling KMS.
 */
import middy from '@middy/core';
import { DataMasking } from '../../src/data-masking.js';
import {
  DataMaskingError,
  DataMaskingInvalidSelectorError,
  DataMaskingUnsupportedTypeError,
} from '../../src/errors.js';
import { type DataMaskingMiddlewareOptions, dataMasking } from '../../src/middleware.js';
import { httpEvent, tenantContext } from './events.js';
import { useKms } from './harness.js';

const fixture = useKms();

const BAD_EXPRESSIONS = ['$.body[', '$.body.card]', '$..', "$.body['unclosed", '$[?@.a ==]', '$.body.'];

describe('an invalid expression throws DataMaskingInvalidSelectorError from dataMasking() itself', () => {
  const where: [string, (expression: string) => Omit<DataMaskingMiddlewareOptions, 'masker'>][] = [
    ['decrypt.fields', (e) => ({ decrypt: { fields: ['$.body.ok', e], context: tenantContext } })],
    ['encrypt.fields', (e) => ({ encrypt: { fields: [e], context: { tenant_id: 'a' } } })],
    ['erase.fields', (e) => ({ erase: { fields: ['$.body.ok', e] } })],
    ['erase.maskingRules', (e) => ({ erase: { maskingRules: { [e]: { customMask: 'X' } } } })],
  ];
  describe.each(where)('in %s', (_, options) => {
    test.each(BAD_EXPRESSIONS)('%s', (expression) => {
      let thrown: unknown;
      try {
        dataMasking({ masker: fixture.masker(), ...options(expression) });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DataMaskingInvalidSelectorError);
      expect(thrown).toBeInstanceOf(DataMaskingError);
      expect((thrown as DataMaskingInvalidSelectorError).expression).toBe(expression);
      expect(typeof (thrown as DataMaskingInvalidSelectorError).position).toBe('number');
      expect(fixture.kms.count('Decrypt') + fixture.kms.count('GenerateDataKey')).toBe(0);
    });
  });

  test('while building the Middy stack, i.e. when the module loads', () => {
    const build = () =>
      middy(async () => 'ok').use(dataMasking({ masker: fixture.masker(), erase: { fields: ['$.body..'] } }));
    expect(build).toThrow(DataMaskingInvalidSelectorError);
  });
});

describe('other configuration errors: DataMaskingUnsupportedTypeError at cold start', () => {
  const cases: [string, () => unknown][] = [
    ['no options at all', () => dataMasking(undefined as never)],
    ['a missing masker with decrypt', () => dataMasking({ decrypt: { fields: ['$.a'] } } as never)],
    [
      'an unknown option (a typo of decrypt)',
      () => dataMasking({ masker: fixture.masker(), decypt: { fields: ['$.a'] } } as never),
    ],
    [
      'an unknown option in decrypt (a typo of context)',
      () => dataMasking({ masker: fixture.masker(), decrypt: { fields: ['$.a'], contxt: {} } } as never),
    ],
    [
      'an unknown option in encrypt',
      () => dataMasking({ masker: fixture.masker(), encrypt: { fields: ['$.a'], algorithm: 1 } } as never),
    ],
    [
      'an unknown option in erase',
      () => dataMasking({ erase: { fields: ['$.a'], field: ['$.b'] } } as never),
    ],
    ['a masker that is not a DataMasking', () => dataMasking({ masker: { erase: () => 1 } } as never)],
    ['a masker class instead of an instance', () => dataMasking({ masker: DataMasking } as never)],
    ['empty decrypt.fields', () => dataMasking({ masker: fixture.masker(), decrypt: { fields: [] } })],
    ['empty encrypt.fields', () => dataMasking({ masker: fixture.masker(), encrypt: { fields: [] } })],
    [
      'decrypt.fields that is not an array',
      () => dataMasking({ masker: fixture.masker(), decrypt: { fields: '$.body.card' as never } }),
    ],
    [
      'encrypt without fields',
      () => dataMasking({ masker: fixture.masker(), encrypt: { context: { a: 'b' } } as never }),
    ],
    [
      'erase.fields that is not an array',
      () => dataMasking({ masker: fixture.masker(), erase: { fields: '$.body.email' as never } }),
    ],
    [
      "a context that is a string other than 'tenant'",
      () => dataMasking({ masker: fixture.masker(), decrypt: { fields: ['$.a'], context: 'acme' as never } }),
    ],
    [
      'a context that is a number',
      () => dataMasking({ masker: fixture.masker(), encrypt: { fields: ['$.a'], context: 42 as never } }),
    ],
    [
      'a context that is null',
      () => dataMasking({ masker: fixture.masker(), decrypt: { fields: ['$.a'], context: null as never } }),
    ],
    [
      'an unknown erase rule option (a typo)',
      () => dataMasking({ masker: fixture.masker(), erase: { fields: ['$.a'], dynamicmask: true } as never }),
    ],
    [
      'a masking rule of two shapes at once',
      () =>
        dataMasking({
          masker: fixture.masker(),
          erase: { maskingRules: { '$.a': { customMask: 'X', remove: true } as never } },
        }),
    ],
    [
      'an unknown detector',
      () => dataMasking({ masker: fixture.masker(), erase: { detectors: ['phoneNumber' as never] } }),
    ],
  ];
  test.each(cases)('%s', (_, configure) => {
    expect(configure).toThrow(DataMaskingError);
    expect(configure).toThrow(DataMaskingUnsupportedTypeError);
    expect(fixture.kms.count('Decrypt') + fixture.kms.count('GenerateDataKey')).toBe(0);
  });
});

describe('valid configurations', () => {
  test('a masker alone (nothing to do) is valid; the handler result passes as it is', async () => {
    const result = { statusCode: 200, body: '{"email":"x@example.com"}' };
    const handler = middy(async () => result).use(dataMasking({ masker: new DataMasking() }));
    await expect(handler(httpEvent('alb', {}) as never, {} as never)).resolves.toBe(result);
  });

  test('encrypt without a context is allowed (messages carry none)', () => {
    expect(() =>
      dataMasking({ masker: fixture.masker(), encrypt: { fields: ['$.body.card'] } }),
    ).not.toThrow();
  });

  test('a masker without a provider is accepted for erase', () => {
    expect(() =>
      dataMasking({ masker: new DataMasking(), erase: { fields: ['$.body.email'] } }),
    ).not.toThrow();
  });

  // Not checked at cold start: the masker's provider is private. The request fails instead, closed.
  test('decrypt or encrypt configured on a masker without a provider: refused at cold start', () => {
    expect(() =>
      dataMasking({
        masker: new DataMasking(),
        decrypt: { fields: ['$.body.card'], context: tenantContext },
      }),
    ).toThrow(DataMaskingUnsupportedTypeError);
    expect(() => dataMasking({ masker: new DataMasking(), encrypt: { fields: ['$.body.card'] } })).toThrow(
      DataMaskingUnsupportedTypeError,
    );
  });
});
