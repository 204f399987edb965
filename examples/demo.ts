/**
 * `npm run demo`: runs each example handler locally, against the KMS test double (no AWS account), and
 * prints the event, the response and the log lines, masked.
 */
import { createKmsMock } from 'middy-data-masking/testing';

const kms = createKmsMock();
process.env.KMS_KEY_ARN = kms.keys[0];
process.env.POWERTOOLS_DEV = 'true'; // pretty-printed log lines

const { handler: apiGatewayErase } = await import('./api-gateway-erase/handler.ts');
const tenantDecrypt = await import('./tenant-decrypt/handler.ts');
const encryptResponse = await import('./encrypt-response-fields/handler.ts');
const tenantIsolation = await import('./tenant-isolation/handler.ts');
const powertoolsLogs = await import('./powertools-logs/handler.ts');
const ioLogger = await import('./input-output-logger/handler.ts');
const dms = await import('./dms-firehose-masking/handler.ts');

const tty = process.stdout.isTTY;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
const indent = (value: unknown) => JSON.stringify(value, null, 2).replace(/\n/g, '\n    ');
/** Shows base64 record data (Firehose) as the JSON it holds. */
const decoded = (value: unknown) => {
  const v = value as { records?: { data?: string }[] };
  if (!Array.isArray(v?.records)) return value;
  return {
    ...v,
    records: v.records.map((r) =>
      typeof r.data === 'string'
        ? { ...r, data: JSON.parse(Buffer.from(r.data, 'base64').toString('utf8')) }
        : r,
    ),
  };
};
/** Shows a string body as the JSON it holds. */
const readable = (response: unknown) => {
  const r = response as { body?: unknown };
  if (typeof r?.body !== 'string') return response;
  try {
    return { ...r, body: JSON.parse(r.body) };
  } catch {
    return response;
  }
};
const context = {
  functionName: 'demo',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:demo',
  memoryLimitInMB: '512',
  getRemainingTimeInMillis: () => 30_000,
} as never;

async function show(title: string, note: string, event: unknown, run: () => Promise<unknown>) {
  console.log(bold(`\n▶ ${title}`));
  console.log(dim(`  ${note}`));
  console.log(`  event:\n    ${indent(decoded(readable(event)))}`);
  console.log(dim('  log lines:'));
  // A person reads this: an error http-error-handler logs (with console.error, stack and all) is shown as
  // its first line.
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
    write(
      typeof chunk === 'string' && chunk.includes('\n    at ') ? `${chunk.split('\n')[0]}\n` : chunk,
      ...rest,
    )) as typeof process.stderr.write;
  let response: unknown;
  try {
    response = await run();
  } finally {
    process.stderr.write = write;
  }
  console.log(`  response:\n    ${indent(decoded(readable(response)))}`);
}

const customer = { pathParameters: { id: '42' } };
await show(
  'api-gateway-erase',
  'erase fields of an API Gateway response (DataMasking.erase, no middleware)',
  customer,
  () => apiGatewayErase(customer),
);

const card = await tenantDecrypt.encryptForTenant('4111 1111 1111 1111', 'acme');
const asAcme = tenantDecrypt.paymentEvent('acme', { amount: 25, card });
await show(
  'tenant-decrypt, called as tenant acme',
  'the card was encrypted by tenant acme: decrypted for the handler',
  asAcme,
  () => tenantDecrypt.handler(asAcme as never, context),
);
const asEvil = tenantDecrypt.paymentEvent('evil-corp', { amount: 25, card });
await show(
  'tenant-decrypt, called as tenant evil-corp',
  "acme's ciphertext replayed by another tenant: 403, the handler never runs",
  asEvil,
  () => tenantDecrypt.handler(asEvil as never, context),
);

// Lambda tenant isolation gives the handler the tenant as context.tenantId.
const asTenant = (tenantId: string) => ({ ...(context as object), tenantId }) as never;
const onboarding = tenantIsolation.onboardingEvent({
  customerId: 'c-1',
  card: await tenantIsolation.encryptCard('4111 1111 1111 1111', 'acme', 'c-1'),
  ssn: '123-45-6789',
});
await show(
  'tenant-isolation, invoked for tenant acme',
  "context: 'tenant' and bind: the card decrypted for the handler; card and SSN returned encrypted, bound to the tenant, field and customer",
  onboarding,
  () => tenantIsolation.handler(onboarding as never, asTenant('acme')),
);
const copied = tenantIsolation.onboardingEvent({
  customerId: 'c-1',
  card: await tenantIsolation.encryptCard('5500 0000 0000 0004', 'acme', 'c-2'),
  ssn: '123-45-6789',
});
await show(
  'tenant-isolation, a card copied from customer c-2',
  'same tenant, another customer: refused before the handler runs',
  copied,
  () => tenantIsolation.handler(copied as never, asTenant('acme')),
);

const getCustomer = encryptResponse.customerEvent('acme');
await show(
  'encrypt-response-fields',
  'email erased, IBAN encrypted under the caller tenant; Powertools Logger in the stack',
  getCustomer,
  () => encryptResponse.handler(getCustomer as never, context),
);

const signUp = powertoolsLogs.signUpEvent();
await show(
  'powertools-logs',
  'every log line masked by MaskingLogFormatter (the logged event, the handler lines, an error with its cause); the response erased',
  signUp,
  () => powertoolsLogs.handler(signUp as never, context),
);

const transfer = ioLogger.transferEvent();
await show(
  'input-output-logger',
  "Middy's input-output-logger printing through createMaskingLogger",
  transfer,
  () => ioLogger.handler(transfer as never, context),
);

const changes = dms.dmsFirehoseEvent();
await show(
  'dms-firehose-masking, the Firehose transformation',
  'DMS rows of public.customers and public.orders masked per table: emails HMAC-hashed, SSNs substituted, notes removed, cards kept to their last 4',
  changes,
  () => dms.firehoseHandler(changes, context),
);
const orders = await dms.tenantOrdersEvent([
  { tenant: 'acme', card: '4111 1111 1111 1111' },
  { tenant: 'globex', claims: 'acme', card: '5500 0000 0000 0004' },
]);
await show(
  'dms-firehose-masking, the SQS consumer',
  "each order decrypted under its producer's tenant; globex's card sent as acme's is reported in batchItemFailures, never charged",
  orders,
  () => dms.ordersConsumer(orders, context),
);

console.log(
  dim(
    `\nKMS calls made by the demo (test double): GenerateDataKey ${kms.count('GenerateDataKey')}, Decrypt ${kms.count('Decrypt')}`,
  ),
);
kms.restore();

// The pseudonymization service creates its own token key, against its own KMS double.
await import('./pseudonymization-service/demo.ts');
