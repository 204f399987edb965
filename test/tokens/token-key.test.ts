import { inspect } from 'node:util';
import fc from 'fast-check';
import { DataMasking } from '../../src/data-masking.js';
import {
  DataMaskingContextMismatchError,
  DataMaskingDecryptKeyError,
  DataMaskingDecryptValueError,
  DataMaskingEncryptKeyError,
  DataMaskingProviderUnavailableError,
  DataMaskingTokenKeyNotReadyError,
  DataMaskingUnsupportedTypeError,
} from '../../src/errors.js';
import { createKmsMock, type KmsMock } from '../../src/testing/kms-mock.js';
import { createTokenKey } from '../../src/tokens/create-token-key.js';
import { TokenKey, type TokenKeyDescriptor } from '../../src/tokens/token-key.js';

const ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321';

let kms: KmsMock;
let acme: TokenKeyDescriptor;
let globex: TokenKeyDescriptor;

beforeAll(async () => {
  kms = createKmsMock({ keys: [ARN, OTHER_ARN] });
  acme = await createTokenKey({ kmsKeyId: ARN, context: { tenant_id: 'acme', purpose: 'analytics' } });
  globex = await createTokenKey({ kmsKeyId: ARN, context: { tenant_id: 'globex', purpose: 'analytics' } });
});
afterAll(() => kms.restore());
beforeEach(() => kms.reset());

describe('createTokenKey', () => {
  test('one GenerateDataKeyWithoutPlaintext call; a JSON-safe descriptor', async () => {
    const d = await createTokenKey({ kmsKeyId: ARN, context: { tenant_id: 'acme' }, version: 'v2' });
    expect(kms.count('GenerateDataKeyWithoutPlaintext')).toBe(1);
    expect(kms.count('GenerateDataKey')).toBe(0);
    expect(Object.keys(d).sort()).toEqual(['context', 'kmsKeyId', 'version', 'wrapped']);
    expect(d).toEqual({
      wrapped: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
      kmsKeyId: ARN,
      version: 'v2',
      context: { tenant_id: 'acme' },
    });
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect((await createTokenKey({ kmsKeyId: ARN, context: { a: 'b' } })).version).toBe('1');
  });

  test('bad options are refused before any KMS call', async () => {
    const bad: unknown[] = [
      undefined,
      { kmsKeyId: ARN },
      { kmsKeyId: '', context: {} },
      { kmsKeyId: ARN, context: { a: 1 } },
      { kmsKeyId: ARN, context: { a: 'b' }, version: 'v-1' },
      { kmsKeyId: ARN, context: { a: 'b' }, version: 'x'.repeat(33) },
      { kmsKeyId: ARN, context: { a: 'b' }, contxt: {} },
    ];
    for (const options of bad) {
      await expect(createTokenKey(options as never)).rejects.toBeInstanceOf(DataMaskingUnsupportedTypeError);
    }
    expect(kms.count('GenerateDataKeyWithoutPlaintext')).toBe(0);
  });

  test('KMS refusing is DataMaskingEncryptKeyError; throttled is unavailable', async () => {
    kms.denyAccess(ARN, 'GenerateDataKeyWithoutPlaintext');
    await expect(createTokenKey({ kmsKeyId: ARN, context: { a: 'b' } })).rejects.toBeInstanceOf(
      DataMaskingEncryptKeyError,
    );
    kms.reset();
    kms.throttle('GenerateDataKeyWithoutPlaintext', Number.POSITIVE_INFINITY);
    await expect(createTokenKey({ kmsKeyId: ARN, context: { a: 'b' } })).rejects.toBeInstanceOf(
      DataMaskingProviderUnavailableError,
    );
  });
});

describe('TokenKey', () => {
  test('unwraps with one Decrypt, shared by concurrent first uses', async () => {
    const key = new TokenKey(acme);
    expect(key.isReady).toBe(false);
    expect(kms.count('Decrypt')).toBe(0); // nothing at construction
    const readies = await Promise.all([key.ready(), key.ready(), key.ready()]);
    expect(readies.every((k) => k === key)).toBe(true);
    expect(key.isReady).toBe(true);
    await key.ready();
    expect(kms.count('Decrypt')).toBe(1);
  });

  test('synchronous use before ready() is a typed error that says to await ready()', () => {
    const key = new TokenKey(acme);
    expect(() => key.tokenize('x')).toThrow(DataMaskingTokenKeyNotReadyError);
    expect(() => key.tokenize('x')).toThrow(/await key\.ready\(\)/);
    expect(() => new DataMasking().erase({ a: 'x' }, { fields: ['a'], tokenize: key })).toThrow(
      DataMaskingTokenKeyNotReadyError,
    );
  });

  test('a failed unwrap is typed and not remembered', async () => {
    const key = new TokenKey(acme);
    kms.throttle('Decrypt', 1);
    await expect(key.ready()).rejects.toBeInstanceOf(DataMaskingProviderUnavailableError);
    await expect(key.ready()).resolves.toBe(key);
    kms.denyAccess(ARN, 'Decrypt');
    await expect(new TokenKey(acme).ready()).rejects.toBeInstanceOf(DataMaskingDecryptKeyError);
  });

  test('a descriptor whose context was changed does not unwrap', async () => {
    const forged = new TokenKey({ ...acme, context: { tenant_id: 'globex', purpose: 'analytics' } });
    await expect(forged.ready()).rejects.toBeInstanceOf(DataMaskingDecryptKeyError);
    expect(forged.isReady).toBe(false);
  });

  test('bad descriptors and options are refused at construction', () => {
    const bad: unknown[] = [
      undefined,
      { ...acme, wrapped: 'not base64!' },
      { ...acme, version: 'a_b' },
      { ...acme, context: { a: 1 } },
      { ...acme, context: null },
      { ...acme, extra: 1 },
      { ...acme, kmsKeyId: 42 },
    ];
    for (const d of bad) expect(() => new TokenKey(d as never)).toThrow(DataMaskingUnsupportedTypeError);
    expect(() => new TokenKey(acme, { clinet: {} } as never)).toThrow(DataMaskingUnsupportedTypeError);
    expect(() => new TokenKey(acme, { client: {} as never })).toThrow(DataMaskingUnsupportedTypeError);
  });

  test('deterministic per key and context; another context gives another token', async () => {
    const a = await new TokenKey(acme).ready();
    const a2 = await new TokenKey(acme).ready();
    const g = await new TokenKey(globex).ready();
    const t = a.tokenize('jane@example.com');
    expect(t).toMatch(/^tok_1_[A-Za-z0-9_-]+$/);
    expect(a2.tokenize('jane@example.com')).toBe(t);
    expect(a.tokenize('jane@example.com ')).not.toBe(t);
    expect(g.tokenize('jane@example.com')).not.toBe(t);
    expect(a.detokenize(t)).toBe('jane@example.com');
  });

  test('the JSON type comes back', async () => {
    const key = await new TokenKey(acme).ready();
    for (const v of [42, -0.5, 1e21, true, false, '42', '', 'ünï©ødé 🎉', { a: [1, 'b'] }, [1, 2]]) {
      expect(key.detokenize(key.tokenize(v))).toEqual(v);
    }
    expect(key.tokenize(42)).not.toBe(key.tokenize('42'));
    expect(key.detokenize(key.tokenize(Number.NaN))).toBe('NaN');
    expect(key.detokenize(key.tokenize(new Date(0)))).toBe('1970-01-01T00:00:00.000Z');
    // A number a double cannot hold comes back as a raw JSON number, written back verbatim.
    expect(JSON.stringify(key.detokenize(key.tokenize(12345678901234567890n)))).toBe('12345678901234567890');
  });

  test('another key or context, or a flipped character: 403, never a value; malformed: 400', async () => {
    const a = await new TokenKey(acme).ready();
    const g = await new TokenKey(globex).ready();
    const t = a.tokenize('jane@example.com');
    expect(() => g.detokenize(t)).toThrow(DataMaskingContextMismatchError);
    const body = t.slice('tok_1_'.length);
    for (let i = 0; i < body.length; i++) {
      const flipped = body[i] === 'A' ? 'B' : 'A';
      const tampered = `tok_1_${body.slice(0, i)}${flipped}${body.slice(i + 1)}`;
      let error: unknown;
      try {
        a.detokenize(tampered);
      } catch (e) {
        error = e;
      }
      // The last character may only change unused padding bits: then it is not the canonical spelling.
      expect(error).toBeInstanceOf(
        error instanceof DataMaskingDecryptValueError
          ? DataMaskingDecryptValueError
          : DataMaskingContextMismatchError,
      );
      expect(String((error as Error).message)).not.toContain('jane');
    }
    expect(() => a.detokenize('tok_1_abc')).toThrow(DataMaskingDecryptValueError);
    expect(() => a.detokenize(`tok_2_${body}`)).toThrow(DataMaskingDecryptValueError);
    expect(() => a.detokenize(`${t}=`)).toThrow(DataMaskingDecryptValueError);
    expect(() => a.detokenize('jane@example.com')).toThrow(DataMaskingDecryptValueError);
  });

  test('the key never shows in JSON, inspect, or errors', async () => {
    const key = await new TokenKey(acme).ready();
    const shown = `${JSON.stringify(key)} ${inspect(key, { showHidden: true, depth: 10 })} ${JSON.stringify({ ...key })}`;
    expect(shown).not.toContain(acme.wrapped);
    expect(JSON.parse(JSON.stringify(key))).toEqual({ kmsKeyId: ARN, version: '1', context: acme.context });
    expect(inspect(key)).toContain('ready: true');
  });

  test('round trip for any JSON value, leaf by leaf through erase and detokenize (property)', async () => {
    const key = await new TokenKey(acme).ready();
    const masker = new DataMasking({ throwOnMissingField: false, logger: { warn: () => {} } });
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const token = key.tokenize(value);
        expect(key.detokenize(token)).toEqual(value === null ? null : JSON.parse(JSON.stringify(value)));
        return true;
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string(), fc.jsonValue()), async (doc) => {
        const frozen = structuredClone(doc);
        const masked = masker.erase(doc, { fields: ['$..*'], tokenize: key });
        expect(doc).toEqual(frozen); // never mutated
        const leaves = JSON.stringify(masked).match(/"tok_1_[A-Za-z0-9_-]+"/g) ?? [];
        for (const l of leaves) expect(JSON.stringify(doc)).not.toContain(l);
        expect(await masker.detokenize(masked, { key })).toEqual(JSON.parse(JSON.stringify(doc)));
      }),
      { numRuns: 150 },
    );
  });
});
