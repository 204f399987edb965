/**
 * examples/tenant-isolation: the handler run as Lambda runs it for a tenant-isolated function (the tenant in
 * `context.tenantId`), over the REST API (v1) events the template's API sends, against the KMS double; the
 * ciphertexts it returns are opened the way a back office would, with the same binding.
 */
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import { PATH_CONTEXT_KEY, RECORD_CONTEXT_KEY } from '../../src/crypto/binding.js';
import { DataMasking } from '../../src/data-masking.js';
import { DataMaskingContextMismatchError, DataMaskingDecryptKeyError } from '../../src/errors.js';
import { AWSEncryptionSDKProvider } from '../../src/providers/kms.js';
import { createKmsMock } from '../../src/testing/index.js';
import { type HttpResult, lambdaContext, restV1CognitoEvent } from '../middleware/events.js';

const kms = createKmsMock();
process.env.KMS_KEY_ARN = kms.keys[0];
afterAll(() => kms.restore());

const load = () => import('../../examples/tenant-isolation/handler.ts');

const CARD = '4111 1111 1111 1111';
const SSN = '123-45-6789';
const THEIR_CARD = '5500 0000 0000 0004';
const RESPONSE_FIELDS = ['$.body.card', '$.body.ssn'];

/** Another process (the tenant's client, a back office): its own provider, so its own data key cache. */
const otherProcess = () =>
  new DataMasking({ provider: new AWSEncryptionSDKProvider({ keys: [kms.keys[0]] }) });

/** The request the REST API passes on: a JSON string body, no tenant in it. */
const onboarding = (body: Record<string, unknown>) => restV1CognitoEvent({ body: JSON.stringify(body) });

/** Invokes the handler as Lambda does for `tenantId` (none: a context without it). */
async function invoke(event: unknown, tenantId?: string): Promise<HttpResult> {
  const { handler } = await load();
  const context = lambdaContext(tenantId === undefined ? {} : { tenantId });
  return (await handler(event as never, context)) as unknown as HttpResult;
}

/** The card a tenant's client sends for one of its customers, bound as the handler reads it. */
async function cardOf(tenantId: string, customerId: string, card = CARD): Promise<string> {
  const { bind } = await load();
  const sealed = await otherProcess().encrypt(
    { body: { customerId, card } },
    { fields: ['$.body.card'], context: { tenant_id: tenantId }, bind },
  );
  return sealed.body.card;
}

/** Runs `fn` with console.error captured (dataMasking's failure log; not http-error-handler's, bound at import). */
async function quietly<T>(fn: () => Promise<T>): Promise<{ result: T; logged: string }> {
  const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const result = await fn();
    return { result, logged: JSON.stringify(errors.mock.calls) };
  } finally {
    errors.mockRestore();
  }
}

afterEach(() => {
  jest.restoreAllMocks();
  kms.reset();
});

describe('examples/tenant-isolation', () => {
  test("the tenant's card is decrypted for the handler; card and SSN leave encrypted, bound to the tenant, field and customer", async () => {
    const { cardNetwork, bind } = await load();
    const verify = jest.spyOn(cardNetwork, 'verify');
    const card = await cardOf('acme', 'c-1');

    const response = await invoke(onboarding({ customerId: 'c-1', card, ssn: SSN }), 'acme');

    expect(response.statusCode).toBe(201);
    expect(verify).toHaveBeenCalledWith(CARD);
    expect(JSON.stringify(response)).not.toContain('4111');
    expect(JSON.stringify(response)).not.toContain('6789');
    const body = JSON.parse(response.body as string) as Record<string, unknown>;
    expect(body.customerId).toBe('c-1');
    expect(body.verified).toBe(true);

    // The back office opens them with the same binding, for the same tenant...
    const backOffice = otherProcess();
    const opened = await backOffice.decrypt(
      { body },
      { fields: RESPONSE_FIELDS, context: { tenant_id: 'acme' }, bind },
    );
    expect(opened.body).toEqual({ customerId: 'c-1', card: CARD, ssn: SSN, verified: true });

    // ...and for no other tenant: refused from the message header, before any KMS call.
    kms.reset();
    const asGlobex = await backOffice
      .decrypt({ body }, { fields: RESPONSE_FIELDS, context: { tenant_id: 'globex' }, bind })
      .catch((error: unknown) => error);
    expect(asGlobex).toBeInstanceOf(DataMaskingContextMismatchError);
    expect(kms.count('Decrypt')).toBe(0);

    // The KMS encryption context of each field, as the key policy's conditions see it: exactly the tenant,
    // the field's path and the record-binding marker (the customer is sealed inside, never in the header).
    const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const keyring = new KmsKeyringNode({ generatorKeyId: kms.keys[0] });
    for (const field of ['card', 'ssn']) {
      const { messageHeader } = await sdk.decrypt(keyring, Buffer.from(body[field] as string, 'base64'));
      expect(messageHeader.encryptionContext).toEqual({
        tenant_id: 'acme',
        [PATH_CONTEXT_KEY]: `$['body']['${field}']`,
        [RECORD_CONTEXT_KEY]: 'sha256/1',
      });
    }
    // So a card moved to the SSN field is refused, before any KMS call.
    kms.reset();
    const moved = await backOffice
      .decrypt(
        { body: { ...body, ssn: body.card } },
        { fields: RESPONSE_FIELDS, context: { tenant_id: 'acme' }, bind },
      )
      .catch((error: unknown) => error);
    expect(moved).toBeInstanceOf(DataMaskingContextMismatchError);
    expect(kms.count('Decrypt')).toBe(0);
  });

  /** The requests the function must refuse before its handler runs, as [name, event, tenant]. */
  const refusals: [string, () => Promise<unknown>, string | undefined][] = [
    [
      "a card copied from another customer's request",
      async () => onboarding({ customerId: 'c-1', card: await cardOf('acme', 'c-2', THEIR_CARD), ssn: SSN }),
      'acme',
    ],
    [
      "a tenant's card sent in another tenant's invocation",
      async () =>
        onboarding({ customerId: 'c-1', card: await cardOf('globex', 'c-1', THEIR_CARD), ssn: SSN }),
      'acme',
    ],
    [
      'an invocation without a tenant id',
      async () => onboarding({ customerId: 'c-1', card: await cardOf('acme', 'c-1', THEIR_CARD), ssn: SSN }),
      undefined,
    ],
    [
      'an invocation with an empty tenant id',
      async () => onboarding({ customerId: 'c-1', card: await cardOf('acme', 'c-1', THEIR_CARD), ssn: SSN }),
      '',
    ],
  ];

  test.each(refusals)(
    '%s: refused, the handler never runs, and nothing of the card leaks',
    async (_, event, tenantId) => {
      const { cardNetwork } = await load();
      const verify = jest.spyOn(cardNetwork, 'verify');
      const request = await event();
      kms.reset();

      const { result: response, logged } = await quietly(() => invoke(request, tenantId));

      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(verify).not.toHaveBeenCalled();
      for (const secret of ['5500', '6789']) {
        expect(JSON.stringify(response)).not.toContain(secret);
        expect(logged).not.toContain(secret);
      }
      // Without a tenant nothing is decrypted and nothing encrypted: not one KMS call.
      if (!tenantId) {
        expect(kms.count('Decrypt')).toBe(0);
        expect(kms.count('GenerateDataKey')).toBe(0);
      }
    },
  );

  test.each(refusals)('%s: a 403 response (SPEC §12)', async (_, event, tenantId) => {
    const request = await event();
    const { result: response } = await quietly(() => invoke(request, tenantId));
    expect(response.statusCode).toBe(403);
  });

  describe('under a key policy on the encryption context (the KMS double)', () => {
    test('a key that allows tenant acme only: a globex invocation fails, and nothing of its card leaks', async () => {
      const { cardNetwork } = await load();
      const verify = jest.spyOn(cardNetwork, 'verify');
      // Globex's client encrypted its card while the key still served globex.
      const globexCard = await cardOf('globex', 'g-1', '3782 822463 10005');
      kms.allowContext(kms.keys[0], { tenant_id: 'acme' });

      const { result: response, logged } = await quietly(() =>
        invoke(onboarding({ customerId: 'g-1', card: globexCard, ssn: SSN }), 'globex'),
      );

      expect(response.statusCode).toBe(500); // KMS refused the key (DataMaskingDecryptKeyError): a generic 500
      expect(verify).not.toHaveBeenCalled();
      expect(kms.count('Decrypt')).toBeGreaterThan(0); // refused by KMS, not by the header check
      expect(JSON.stringify(response)).not.toContain('3782');
      expect(logged).not.toContain('3782');
      expect(logged).not.toContain('6789');
    });

    test("the template's policy for the function: it decrypts the card, encrypts the SSN, and cannot decrypt the SSN", async () => {
      const { bind } = await load();
      const card = await cardOf('acme', 'c-3');
      const key = kms.keys[0];
      // The double models StringEquals only: "every path but the SSN" is, for this function, the card path.
      kms.allowContext(key, { tenant_id: 'acme' }, 'GenerateDataKey');
      kms.allowContext(key, { tenant_id: 'acme', [PATH_CONTEXT_KEY]: "$['body']['card']" }, 'Decrypt');

      const response = await invoke(onboarding({ customerId: 'c-3', card, ssn: SSN }), 'acme');
      expect(response.statusCode).toBe(201);
      const body = JSON.parse(response.body as string) as Record<string, unknown>;

      // As the function's role: the card opens, the SSN does not (access denied by the key policy).
      const asFunction = otherProcess();
      await expect(
        asFunction.decrypt({ body }, { fields: ['$.body.card'], context: { tenant_id: 'acme' }, bind }),
      ).resolves.toEqual({ body: { ...body, card: CARD } });
      const denied = await asFunction
        .decrypt({ body }, { fields: ['$.body.ssn'], context: { tenant_id: 'acme' }, bind })
        .catch((error: unknown) => error);
      expect(denied).toBeInstanceOf(DataMaskingDecryptKeyError);
      expect(JSON.stringify(denied)).not.toContain('6789');

      // As ComplianceReaderRole: the SSN path only.
      kms.reset();
      kms.allowContext(key, { tenant_id: 'acme', [PATH_CONTEXT_KEY]: "$['body']['ssn']" }, 'Decrypt');
      await expect(
        otherProcess().decrypt({ body }, { fields: ['$.body.ssn'], context: { tenant_id: 'acme' }, bind }),
      ).resolves.toEqual({ body: { ...body, ssn: SSN } });
    });
  });
});
