/**
 * bench/middleware: what `dataMasking` adds to one invocation — erasing 3 fields of a 2 KB API Gateway
 * response body string — against the same Middy handler without it, in the same run.
 */
import middy from '@middy/core';
import { DataMasking } from 'middy-data-masking';
import { dataMasking } from 'middy-data-masking/middleware';
import { measure } from './harness.ts';

function responseBody() {
  return {
    id: 'cust-42',
    name: 'Jane Doe',
    email: 'jane@example.com',
    ssn: '123-45-6789',
    card: { number: '4111 1111 1111 1111', expires: '12/29' },
    orders: Array.from({ length: 34 }, (_, i) => ({
      id: `ord-${i}`,
      amount: 10 + i,
      currency: 'EUR',
      status: 'paid',
    })),
    preferences: { language: 'en-GB', newsletter: true, theme: 'dark' },
  };
}

const event = {
  httpMethod: 'GET',
  path: '/customers/42',
  headers: { accept: 'application/json' },
  requestContext: { requestId: 'r-1', stage: 'prod' },
  body: null,
};
const context = {
  functionName: 'bench',
  awsRequestId: 'r-1',
  getRemainingTimeInMillis: () => 30_000,
} as never;

export async function run(): Promise<string[]> {
  const body = JSON.stringify(responseBody());
  const lambdaHandler = async () => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body,
  });
  const plain = middy(lambdaHandler);
  const masked = middy(lambdaHandler).use(
    dataMasking({
      masker: new DataMasking(),
      erase: { fields: ['$.body.email', '$.body.ssn', '$.body.card.number'] },
    }),
  );
  const check = (await masked(event as never, context)) as { body: string };
  if (JSON.parse(check.body).ssn !== '*****' || check.body.includes('4111'))
    throw new Error('the masked stack did not mask');
  const rows = await measure(
    `middleware · erase 3 fields of a ${(body.length / 1024).toFixed(1)} KB response body string`,
    [
      { name: 'middy handler with dataMasking', fn: () => masked(event as never, context), async: true },
      { name: 'the same middy handler without it', fn: () => plain(event as never, context), async: true },
    ],
  );
  const added = rows[0].us - rows[1].us;
  const line = `${added <= 50 ? 'MET ' : 'MISS'}  dataMasking adds ${added.toFixed(1)} µs per invocation (target ≤ 50 µs)`;
  console.log(`  ${line}`);
  return [line];
}
