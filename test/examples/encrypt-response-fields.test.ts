import { createKmsMock } from '../../src/testing/index.js';
import { lambdaContext } from './lambda-context.js';

const kms = createKmsMock();
process.env.KMS_KEY_ARN = kms.keys[0];
afterAll(() => kms.restore());

describe('examples/encrypt-response-fields', () => {
  test('the email leaves erased and the IBAN encrypted under the caller tenant', async () => {
    const { handler, customerEvent, masker } = await import(
      '../../examples/encrypt-response-fields/handler.ts'
    );
    const log = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const response = (await handler(customerEvent('acme') as never, lambdaContext())) as unknown as {
      statusCode: number;
      body: string;
    };
    log.mockRestore();
    expect(response.statusCode).toBe(200);
    expect(typeof response.body).toBe('string');
    const body = JSON.parse(response.body);
    expect(body).toMatchObject({ id: '42', name: 'Jane Doe', email: '*****', bank: { bic: 'COBADEFFXXX' } });
    expect(response.body).not.toContain('DE89370400440532013000');
    expect(await masker.decrypt(body.bank.iban, { context: { tenant_id: 'acme' } })).toBe(
      'DE89370400440532013000',
    );
    await expect(masker.decrypt(body.bank.iban, { context: { tenant_id: 'other' } })).rejects.toMatchObject({
      name: 'DataMaskingContextMismatchError',
    });
  });
});
