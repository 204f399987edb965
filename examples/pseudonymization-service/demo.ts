/**
 * The pseudonymization service, run locally against the KMS test double (no AWS account): a token key is
 * created as `create-token-key` does, the two handlers load it from TOKEN_KEY as in Lambda, an ETL job
 * pseudonymizes a customers table through the REST API, Redshift pseudonymizes a column through the
 * Lambda UDF protocol, and the re-identifier reverses the tokens.
 *
 * `npm run demo` runs it after the other examples; alone: `npm run build && node examples/pseudonymization-service/demo.ts`.
 */
import { createKmsMock } from 'middy-data-masking/testing';
import { createTokenKey } from 'middy-data-masking/tokens';

const tty = process.stdout.isTTY;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
/** Tokens are long: enough of one to tell it from the others (its first bytes are its synthetic IV). */
const short = (token: unknown) => (typeof token === 'string' ? `${token.slice(0, 18)}…` : token);

/** A SigV4-signed request to the template's REST API (`AWS_IAM` authorization), from `role`. */
const post = (path: string, body: unknown, role: string) => ({
  resource: path,
  path,
  httpMethod: 'POST',
  headers: { 'content-type': 'application/json' },
  requestContext: {
    resourcePath: path,
    httpMethod: 'POST',
    stage: 'v1',
    identity: { userArn: `arn:aws:sts::111122223333:assumed-role/${role}/demo` },
  },
  body: JSON.stringify(body),
  isBase64Encoded: false,
});

const customers = [
  { id: 1, email: 'jane@example.com', phone: '+44 20 7946 0958', country: 'GB' },
  { id: 2, email: 'kwame@example.org', phone: '+233 30 274 1234', country: 'GH' },
  { id: 3, email: 'li.wei@example.net', phone: '+86 10 6552 9988', country: 'CN' },
  { id: 4, email: 'jane@example.com', phone: '+44 20 7946 0000', country: 'GB' }, // Jane again, new phone
  { id: 5, email: 'marta@example.es', phone: '+34 91 123 4567', country: 'ES' },
  { id: 6, email: 'olu@example.com', phone: '+234 1 234 5678', country: 'NG' },
];

const kms = createKmsMock();
try {
  // What `npx middy-data-masking create-token-key --key-id <arn> --context tenant_id=acme --context
  // purpose=analytics` prints, and the deployment puts in TOKEN_KEY.
  const descriptor = await createTokenKey({
    kmsKeyId: kms.keys[0],
    context: { tenant_id: 'acme', purpose: 'analytics' },
  });
  process.env.TOKEN_KEY = JSON.stringify(descriptor);
  const { pseudonymize, reidentify } = await import('./handler.ts');

  console.log(bold('\n▶ pseudonymization-service, POST /pseudonymize from the ETL role'));
  console.log(
    dim('  emails and phones of a customers table, in one batch; country stays clear (a category)'),
  );
  const identifiers = customers.flatMap((c) => [c.email, c.phone]);
  const response = await pseudonymize(post('/pseudonymize', { identifiers }, 'etl'));
  const { pseudonyms } = JSON.parse(response.body) as { pseudonyms: string[] };
  const table = customers.map((c, i) => ({
    ...c,
    email: pseudonyms[2 * i],
    phone: pseudonyms[2 * i + 1],
  }));
  console.table(table.map((row) => ({ ...row, email: short(row.email), phone: short(row.phone) })));
  const distinct = new Set(table.map((row) => row.email)).size;
  console.log(
    `  ${table.length} rows, ${distinct} distinct email tokens: rows ${table
      .filter((row) => row.email === table[0].email)
      .map((row) => row.id)
      .join(' and ')} share one, so they still join and count as one customer`,
  );

  console.log(bold('\n▶ the Redshift Lambda UDF: SELECT pseudonymize(email) FROM customers'));
  const udf = await pseudonymize({
    request_id: '23FF1F97-F28A-44AA-AB67-266ED976BF40',
    cluster: 'arn:aws:redshift:eu-west-1:111122223333:cluster:analytics',
    user: 'etl',
    database: 'dev',
    external_function: 'pseudonymize',
    query_id: 5678,
    num_records: customers.length + 1,
    arguments: [...customers.map((c) => [c.email]), [null]], // and one SQL NULL
  });
  if (!udf.success) throw new Error(udf.error_msg);
  console.log(`  results: ${JSON.stringify(udf.results.map(short))}`);
  const same = table.every((row, i) => udf.results[i] === row.email);
  console.log(`  the same tokens as the API made: ${same}; NULL stays ${udf.results.at(-1)}`);

  console.log(bold('\n▶ POST /reidentify from the re-identifier role'));
  console.log(dim('  another function, another role; the API lets no one else call it'));
  const back = await reidentify(
    post('/reidentify', { pseudonyms: table.map((row) => row.email) }, 'privacy'),
  );
  const { identifiers: emails } = JSON.parse(back.body) as { identifiers: string[] };
  console.log(`  ${JSON.stringify(emails)}`);
  console.log(`  matches the original emails: ${emails.every((email, i) => email === customers[i].email)}`);

  console.log(
    dim(
      `\nKMS calls (test double): GenerateDataKeyWithoutPlaintext ${kms.count('GenerateDataKeyWithoutPlaintext')} (the key), Decrypt ${kms.count('Decrypt')} (its unwrap, shared by both handlers)`,
    ),
  );
} finally {
  kms.restore();
}
