/**
 * `npm run demo`: runs each example handler locally and prints the event and the masked response.
 * No AWS account needed.
 */
import { handler as apiGatewayErase } from './api-gateway-erase/handler.ts';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

const examples = [
  {
    name: 'api-gateway-erase — erase fields of an API Gateway response',
    run: apiGatewayErase,
    event: { pathParameters: { id: '42' } },
  },
];

for (const example of examples) {
  console.log(bold(`\n▶ ${example.name}`));
  console.log('  event:   ', JSON.stringify(example.event));
  const response = await example.run(example.event);
  console.log(
    '  response:',
    JSON.stringify({ ...response, body: JSON.parse(response.body) }, null, 2).replace(/\n/g, '\n  '),
  );
}
