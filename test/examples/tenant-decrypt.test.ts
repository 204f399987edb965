import { createKmsMock } from '../../src/testing/index.js';
import { lambdaContext } from './lambda-context.js';

const kms = createKmsMock();
process.env.KMS_KEY_ARN = kms.keys[0];
afterAll(() => kms.restore());

const load = () => import('../../examples/tenant-decrypt/handler.ts');

describe('examples/tenant-decrypt', () => {
  test('the tenant that encrypted the card can pay with it', async () => {
    const { handler, encryptForTenant, paymentEvent } = await load();
    const card = await encryptForTenant('4111 1111 1111 1111', 'acme');
    const response = (await handler(
      paymentEvent('acme', { amount: 25, card }) as never,
      lambdaContext(),
    )) as {
      statusCode: number;
      body: string;
    };
    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body)).toEqual({ charged: 25, card: '**** 1111' });
  });

  test('another tenant replaying that ciphertext gets a 403, and nothing of the card', async () => {
    const { handler, encryptForTenant, paymentEvent } = await load();
    const card = await encryptForTenant('4111 1111 1111 1111', 'acme');
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = (await handler(
      paymentEvent('evil-corp', { amount: 25, card }) as never,
      lambdaContext(),
    )) as {
      statusCode: number;
      body: string;
    };
    expect(response.statusCode).toBe(403);
    expect(JSON.stringify(response)).not.toContain('4111');
    expect(JSON.stringify(errors.mock.calls)).not.toContain('4111');
    errors.mockRestore();
  });

  test('a plaintext card is refused with a 400: the context check cannot be skipped', async () => {
    const { handler, paymentEvent } = await load();
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = (await handler(
      paymentEvent('acme', { amount: 25, card: '4111 1111 1111 1111' }) as never,
      lambdaContext(),
    )) as {
      statusCode: number;
    };
    expect(response.statusCode).toBe(400);
    errors.mockRestore();
  });
});
