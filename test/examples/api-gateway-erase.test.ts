import { createHmac } from 'node:crypto';
import { handler } from '../../examples/api-gateway-erase/handler.ts';

describe('examples/api-gateway-erase', () => {
  test('the response leaves with every sensitive field erased', async () => {
    const response = await handler({ pathParameters: { id: '7' } });
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body);
    expect(body).toMatchObject({
      id: '7',
      name: 'Jane Doe',
      email: '*****',
      ssn: '***-**-6789',
      address: { street: '*****', city: 'Anytown' },
      credentials: { login: 'jane', password: '*****' },
    });
    const pseudonym = createHmac('sha256', 'demo-key').update('Jane Doe').digest('hex');
    expect(body.cards).toEqual([
      { holder: pseudonym, number: '*****', expires: '12/29' },
      { holder: pseudonym, number: '*****', expires: '01/30' },
    ]);
    for (const secret of ['jane@example.com', '123-45', '4111', '5500', 'hunter2', '1 Main St']) {
      expect(response.body).not.toContain(secret);
    }
  });
});
