/**
 * Issue 10 (crypto speed): field values are written and read as one-frame messages without the SDK's
 * stream pipeline. These tests hold that path to the SDK: what it writes, the SDK reads (and reports
 * the header the SDK itself would write); what the SDK writes, it reads; everything else goes through
 * the SDK unchanged.
 */
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import fc from 'fast-check';
import { FRAME_LENGTH, readOneFrameMessage, writesOneFrame } from '../../src/crypto/kms/one-frame-message.js';
import { DataMaskingContextMismatchError, DataMaskingDecryptValueError } from '../../src/errors.js';
import { AlgorithmSuiteIdentifier } from '../../src/providers/kms.js';
import { provider, useKms } from './support.js';

const { kms } = useKms(2);
const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const UNSIGNED = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
const SIGNED = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;
/** Keys whose UTF-8 order differs from their UTF-16 order, so the header's sorting is exercised. */
const UNICODE_CONTEXT = { z: '1', é: '2', a: '3', '\u{1F600}': '4', '\uFB01': '5', tenant_id: 'acme' };

const keyring = (keys: readonly string[]) =>
  new KmsKeyringNode({ generatorKeyId: keys[0], keyIds: keys.slice(1) });

describe('messages written here', () => {
  test.each([
    ['a small value, one key', 'TOP-SECRET', { tenant_id: 'acme' }, 1],
    ['no encryption context', 'x', {}, 1],
    ['an empty plaintext', '', { tenant_id: 'acme' }, 1],
    ['a context sorted by UTF-8 bytes', '{"card":"4111"}', UNICODE_CONTEXT, 1],
    ['two keys (two encrypted data keys)', 'x'.repeat(100), { tenant_id: 'acme' }, 2],
    ['the longest one-frame plaintext', 'y'.repeat(FRAME_LENGTH - 1), { t: '1' }, 1],
  ])('%s: the SDK decrypts it and reads the header it would write', async (_, text, context, keyCount) => {
    const keys = kms().keys.slice(0, keyCount);
    const ciphertext = await provider(keys).encrypt(text, context);
    const bytes = Buffer.from(ciphertext, 'base64');
    expect(readOneFrameMessage(bytes)).toBeDefined();
    const { plaintext, messageHeader } = await sdk.decrypt(keyring(keys), bytes);
    expect(plaintext.toString('utf8')).toBe(text);
    expect({ ...messageHeader.encryptionContext }).toEqual(context);
    expect(messageHeader).toMatchObject({
      version: 2,
      suiteId: UNSIGNED,
      contentType: 2,
      frameLength: FRAME_LENGTH,
    });
    expect(messageHeader.encryptedDataKeys.map((k) => k.providerInfo)).toEqual(keys);
    // One header, one final frame, nothing else: header + tag + (4 + 4 + 12 + 4) + content + tag.
    const one = readOneFrameMessage(bytes);
    expect(one?.content.byteLength).toBe(Buffer.byteLength(text));
    expect(bytes.byteLength).toBe((one?.header.byteLength ?? 0) + 16 + 24 + Buffer.byteLength(text) + 16);
  });

  test('message ids never repeat (they come from a pool, each byte used once)', async () => {
    const [k1] = kms().keys;
    const p = provider([k1]);
    const ids = new Set<string>();
    // More than one pool (128 ids), concurrently.
    const ciphertexts = await Promise.all(Array.from({ length: 300 }, () => p.encrypt('x', { t: '1' })));
    for (const c of ciphertexts)
      ids.add(readOneFrameMessage(Buffer.from(c, 'base64'))?.messageId.toString('hex') ?? '');
    expect(ids.size).toBe(300);
  });

  test('property: any text and context round-trips through the SDK, both ways', async () => {
    const [k1] = kms().keys;
    const p = provider([k1]);
    const contextKey = fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200, unit: 'grapheme' }),
        fc.dictionary(contextKey, fc.string({ maxLength: 8, unit: 'grapheme' }), { maxKeys: 4 }),
        async (text, rawContext) => {
          const context = Object.fromEntries(
            Object.entries(rawContext).filter(([k]) => !k.startsWith('aws-crypto-')),
          );
          const ours = await p.encrypt(text, context);
          const read = await sdk.decrypt(keyring([k1]), Buffer.from(ours, 'base64'));
          expect(read.plaintext.toString('utf8')).toBe(text);
          const { result } = await sdk.encrypt(keyring([k1]), text, {
            encryptionContext: context,
            suiteId: UNSIGNED,
          });
          expect(readOneFrameMessage(result)).toBeDefined();
          await expect(p.decrypt(result.toString('base64'), context)).resolves.toBe(text);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('what the SDK writes', () => {
  test.each([
    ['one frame, unsigned (read here)', 'x'.repeat(10), UNSIGNED, true],
    [
      'exactly one frame of content (a full frame and an empty final one)',
      'x'.repeat(FRAME_LENGTH),
      UNSIGNED,
      false,
    ],
    ['several frames', 'z'.repeat(3 * FRAME_LENGTH + 5), UNSIGNED, false],
    ['the signed suite', 'x', SIGNED, false],
  ])('%s decrypts here', async (_, text, suiteId, oneFrame) => {
    const [k1] = kms().keys;
    const { result } = await sdk.encrypt(keyring([k1]), text, {
      encryptionContext: UNICODE_CONTEXT,
      suiteId,
    });
    expect(readOneFrameMessage(result) !== undefined).toBe(oneFrame);
    await expect(provider([k1]).decrypt(result.toString('base64'), UNICODE_CONTEXT)).resolves.toBe(text);
  });

  test('values longer than a frame, and the signed suite, are written by the SDK', async () => {
    const [k1] = kms().keys;
    expect(writesOneFrame(UNSIGNED, FRAME_LENGTH - 1)).toBe(true);
    expect(writesOneFrame(UNSIGNED, FRAME_LENGTH)).toBe(false);
    expect(writesOneFrame(SIGNED, 10)).toBe(false);
    const long = 'L'.repeat(FRAME_LENGTH * 2);
    const viaSdk = await provider([k1]).encrypt(long, { t: '1' });
    expect(readOneFrameMessage(Buffer.from(viaSdk, 'base64'))).toBeUndefined();
    await expect(provider([k1]).decrypt(viaSdk, { t: '1' })).resolves.toBe(long);
    const signed = await provider([k1], { algorithm: SIGNED }).encrypt('s', { t: '1' });
    expect(readOneFrameMessage(Buffer.from(signed, 'base64'))).toBeUndefined();
    await expect(provider([k1]).decrypt(signed, { t: '1' })).resolves.toBe('s');
  });
});

describe('the reader leaves anything unusual to the SDK', () => {
  test('another version, a truncated message, a trailing byte, a header the SDK must judge', async () => {
    const [k1] = kms().keys;
    const bytes = Buffer.from(await provider([k1]).encrypt('x', { t: '1' }), 'base64');
    expect(readOneFrameMessage(bytes)).toBeDefined();
    expect(readOneFrameMessage(Buffer.concat([bytes, Buffer.from([0])]))).toBeUndefined();
    for (let end = 0; end < bytes.length; end++)
      expect(readOneFrameMessage(bytes.subarray(0, end))).toBeUndefined();
    const v1 = Buffer.from(bytes);
    v1[0] = 1;
    expect(readOneFrameMessage(v1)).toBeUndefined();
    // The context's value made invalid UTF-8 (0xff): the SDK decodes leniently, so it decides.
    const badUtf8 = Buffer.from(bytes);
    badUtf8[badUtf8.indexOf(Buffer.from('t'), 35) + 3] = 0xff;
    expect(readOneFrameMessage(badUtf8)).toBeUndefined();
  });

  test('property: the reader never throws, whatever the bytes (random, or a real message with bytes changed)', async () => {
    const [k1] = kms().keys;
    const real = Buffer.from(await provider([k1]).encrypt('x', { t: '1', u: '2' }), 'base64');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        readOneFrameMessage(bytes);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(real.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const changed = Buffer.from(real);
          for (const [at, value] of edits) changed[at] = value;
          readOneFrameMessage(changed);
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('a duplicate context key is refused, never read as one of its values', async () => {
    const [k1] = kms().keys;
    const { result } = await sdk.encrypt(keyring([k1]), 'x', {
      encryptionContext: { a: '1', b: '2' },
      suiteId: UNSIGNED,
    });
    // Rename key "b" to "a": same lengths, so only the duplicate is wrong.
    const forged = Buffer.from(result);
    const at = forged.indexOf(Buffer.from([0x00, 0x01, 0x62, 0x00, 0x01, 0x32]), 35);
    expect(at).toBeGreaterThan(0);
    forged[at + 2] = 0x61;
    expect(readOneFrameMessage(forged)).toBeUndefined();
    const outcome = await provider([k1])
      .decrypt(forged.toString('base64'), { a: '1' })
      .catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(Error);
    expect([DataMaskingDecryptValueError.name, DataMaskingContextMismatchError.name]).toContain(
      (outcome as Error).name,
    );
  });
});
