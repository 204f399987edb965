/**
 * An API Gateway handler that returns a customer record with the sensitive fields erased. The erase
 * configuration is compiled once, when the Lambda container starts, and applied to every response.
 */
import { DataMasking } from 'middy-data-masking';

const masker = new DataMasking({ throwOnMissingField: false });

const eraseResponse = masker.compileErase({
  fields: ['email', 'address.street', 'cards[*].number', '$..password'],
  maskingRules: {
    ssn: { regexPattern: /\d{3}-\d{2}-(\d{4})/, maskFormat: '***-**-$1' },
    'cards[*].holder': { hmac: { key: process.env.PSEUDONYM_KEY ?? 'demo-key' } },
  },
});

interface ApiGatewayEvent {
  pathParameters?: { id?: string } | null;
}

/** Looks a customer up (here: builds one) and returns it, erased, as an API Gateway proxy result. */
export const handler = async (event: ApiGatewayEvent) => {
  const customer = {
    id: event.pathParameters?.id ?? '42',
    name: 'Jane Doe',
    email: 'jane@example.com',
    ssn: '123-45-6789',
    address: { street: '1 Main St', city: 'Anytown' },
    cards: [
      { holder: 'Jane Doe', number: '4111 1111 1111 1111', expires: '12/29' },
      { holder: 'Jane Doe', number: '5500 0000 0000 0004', expires: '01/30' },
    ],
    credentials: { login: 'jane', password: 'hunter2' },
  };
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(eraseResponse(customer)),
  };
};
