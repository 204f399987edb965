/**
 * Issue 13: the pseudonymization and re-identification handlers (SPEC §10) over API Gateway REST (v1) and
 * HTTP API (v2) events and the Amazon Redshift Lambda UDF protocol, with real token keys unwrapped by the
 * KMS double: round trips, limits, errors by status, and no value, token or body in any error.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Handler } from 'aws-lambda';
import fc from 'fast-check';
import { DataMaskingUnsupportedTypeError } from '../../src/errors.js';
import { createKmsMock, type KmsMock } from '../../src/testing/kms-mock.js';
import { createTokenKey } from '../../src/tokens/create-token-key.js';
import { pseudonymizationHandler } from '../../src/tokens/pseudonymization-handler.js';
import { reidentificationHandler } from '../../src/tokens/reidentification-handler.js';
import type {
  RedshiftUdfEvent,
  RedshiftUdfResponse,
  TokenServiceHandler,
  TokenServiceHttpEvent,
  TokenServiceHttpResponse,
} from '../../src/tokens/service-protocol.js';
import { TokenKey, type TokenKeyDescriptor } from '../../src/tokens/token-key.js';
import { httpV2JwtEvent, type Loose, restV1CognitoEvent } from '../middleware/events.js';

const ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CONTEXT = { tenant_id: 'acme', purpose: 'analytics' };
const SECRET = 'jane.doe@example.com';

let kms: KmsMock;
let v1: TokenKeyDescriptor;
let v2: TokenKeyDescriptor;
let globex: TokenKeyDescriptor;
let key1: TokenKey;
let key2: TokenKey;
/** Made once, as a Lambda module makes them: the keys unwrap on first use and stay ready. */
let pseudonymize: TokenServiceHandler;
let reidentify: TokenServiceHandler;

beforeAll(async () => {
  kms = createKmsMock({ keys: [ARN] });
  v1 = await createTokenKey({ kmsKeyId: ARN, context: CONTEXT });
  v2 = await createTokenKey({ kmsKeyId: ARN, context: CONTEXT, version: '2' });
  // Another key of the same version, under another context: its tokens must not open under v1.
  globex = await createTokenKey({ kmsKeyId: ARN, context: { tenant_id: 'globex', purpose: 'analytics' } });
  key1 = new TokenKey(v1);
  key2 = new TokenKey(v2);
  pseudonymize = pseudonymizationHandler({ key: key1 });
  reidentify = reidentificationHandler({ key: [key1, key2] });
});
afterAll(() => kms.restore());
beforeEach(() => kms.reset());
afterEach(() => jest.restoreAllMocks());

type Kind = 'REST v1' | 'HTTP API v2';
const KINDS: Kind[] = ['REST v1', 'HTTP API v2'];

/** An API Gateway event of `kind`, the body JSON text unless given as a string. */
function apiEvent(
  kind: Kind,
  body: unknown,
  options: { method?: string; base64?: boolean } = {},
): TokenServiceHttpEvent & Loose {
  let text = typeof body === 'string' ? body : JSON.stringify(body);
  if (options.base64) text = Buffer.from(text, 'utf8').toString('base64');
  const build = kind === 'REST v1' ? restV1CognitoEvent : httpV2JwtEvent;
  return build({
    body: text,
    method: options.method,
    isBase64Encoded: options.base64 === true,
    path: '/tokens',
  }) as TokenServiceHttpEvent & Loose;
}

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json: Record<string, unknown>;
}

async function call(handler: TokenServiceHandler, event: unknown): Promise<Answer> {
  const response = (await handler(event as TokenServiceHttpEvent)) as Omit<Answer, 'json'>;
  expect(Object.keys(response).sort()).toEqual(['body', 'headers', 'statusCode']);
  expect(response.headers['content-type']).toBe('application/json');
  return { ...response, json: JSON.parse(response.body) };
}

/** A Redshift Lambda UDF invocation of the given rows. */
function redshiftEvent(
  rows: readonly (readonly unknown[] | null)[],
  numRecords = rows.length,
): RedshiftUdfEvent {
  return {
    request_id: '23FF1F97-F28A-44AA-AB67-266ED976BF40',
    cluster: 'arn:aws:redshift:eu-west-1:111122223333:cluster:analytics',
    user: 'etl',
    database: 'dev',
    external_function: 'public.f_pseudonymize',
    query_id: 5678234,
    num_records: numRecords,
    arguments: rows,
  };
}

async function pseudonymsOf(values: unknown[], kind: Kind = 'REST v1'): Promise<unknown[]> {
  const answer = await call(pseudonymize, apiEvent(kind, { identifiers: values }));
  expect(answer.statusCode).toBe(200);
  return answer.json.pseudonyms as unknown[];
}

describe('round trip over API Gateway', () => {
  test.each(KINDS)(
    '%s: order, JSON types and null kept; the same value, the same pseudonym',
    async (kind) => {
      const identifiers = [SECRET, 42, true, null, SECRET, '42', 1.5, '', 'ünïcødé 🎉', false];
      const answer = await call(pseudonymize, apiEvent(kind, { identifiers }));
      expect(answer.statusCode).toBe(200);
      expect(Object.keys(answer.json)).toEqual(['pseudonyms']);
      const pseudonyms = answer.json.pseudonyms as (string | null)[];
      expect(pseudonyms).toHaveLength(identifiers.length);
      expect(pseudonyms[3]).toBeNull();
      for (const [i, p] of pseudonyms.entries()) if (i !== 3) expect(p).toMatch(/^tok_1_[A-Za-z0-9_-]+$/);
      expect(pseudonyms[4]).toBe(pseudonyms[0]);
      expect(pseudonyms[5]).not.toBe(pseudonyms[1]); // '42' is not 42
      expect(answer.body).not.toContain(SECRET);

      const back = await call(reidentify, apiEvent(kind, { pseudonyms }));
      expect(back.statusCode).toBe(200);
      expect(back.json).toEqual({ identifiers });
    },
  );

  test('a number a double cannot hold comes back digit for digit', async () => {
    const answer = await call(
      pseudonymize,
      apiEvent('HTTP API v2', '{"identifiers":[12345678901234567890]}'),
    );
    const back = await call(reidentify, apiEvent('HTTP API v2', { pseudonyms: answer.json.pseudonyms }));
    expect(back.body).toBe('{"identifiers":[12345678901234567890]}');
  });

  test('deterministic across requests and handlers; rotation: each pseudonym opens with its version', async () => {
    const [a] = await pseudonymsOf([SECRET]);
    expect(await pseudonymsOf([SECRET], 'HTTP API v2')).toEqual([a]);
    const byV2 = await call(
      pseudonymizationHandler({ key: key2 }),
      apiEvent('REST v1', { identifiers: [SECRET, 7] }),
    );
    const [b, seven] = byV2.json.pseudonyms as string[];
    expect(b).toMatch(/^tok_2_/);
    const back = await call(reidentify, apiEvent('REST v1', { pseudonyms: [a, b, seven, null] }));
    expect(back.json).toEqual({ identifiers: [SECRET, SECRET, 7, null] });
  });

  test('each distinct value is computed once', async () => {
    const tokenize = jest.spyOn(TokenKey.prototype, 'tokenize');
    const pseudonyms = await pseudonymsOf([SECRET, 1, SECRET, null, 1, SECRET, '1']);
    expect(tokenize).toHaveBeenCalledTimes(3);
    const detokenize = jest.spyOn(TokenKey.prototype, 'detokenize');
    await call(reidentify, apiEvent('REST v1', { pseudonyms: [...pseudonyms, ...pseudonyms] }));
    expect(detokenize).toHaveBeenCalledTimes(3);
  });

  test.each(KINDS)('%s: a base64 body is decoded', async (kind) => {
    const answer = await call(pseudonymize, apiEvent(kind, { identifiers: [SECRET, 'é'] }, { base64: true }));
    expect(answer.statusCode).toBe(200);
    const back = await call(
      reidentify,
      apiEvent(kind, { pseudonyms: answer.json.pseudonyms }, { base64: true }),
    );
    expect(back.json).toEqual({ identifiers: [SECRET, 'é'] });
  });

  test('an empty list, or nulls only, needs no key', async () => {
    const fresh = pseudonymizationHandler({ key: new TokenKey(v1) });
    expect((await call(fresh, apiEvent('REST v1', { identifiers: [] }))).json).toEqual({ pseudonyms: [] });
    expect((await call(fresh, apiEvent('REST v1', { identifiers: [null] }))).json).toEqual({
      pseudonyms: [null],
    });
    expect(kms.count('Decrypt')).toBe(0);
  });
});

describe('refused requests', () => {
  test.each(KINDS)('%s: only POST (405 with Allow), and no KMS call', async (kind) => {
    const fresh = new TokenKey(v1);
    for (const method of ['GET', 'PUT', 'DELETE', 'OPTIONS']) {
      const answer = await call(
        pseudonymizationHandler({ key: fresh }),
        apiEvent(kind, { identifiers: [SECRET] }, { method }),
      );
      expect(answer.statusCode).toBe(405);
      expect(answer.headers.Allow).toBe('POST');
      expect(answer.json).toEqual({ message: 'Method Not Allowed' });
    }
    expect(fresh.isReady).toBe(false);
    expect(kms.count('Decrypt')).toBe(0);
  });

  test('not JSON, no body, bad base64, not UTF-8: 400', async () => {
    const cases: Loose[] = [
      apiEvent('REST v1', `{"identifiers":["${SECRET}"`),
      apiEvent('HTTP API v2', `${SECRET}`),
      { ...apiEvent('REST v1', ''), body: null },
      { ...apiEvent('HTTP API v2', ''), body: undefined },
      { ...apiEvent('REST v1', ''), body: { identifiers: [SECRET] } },
      { ...apiEvent('REST v1', ''), body: `${SECRET}!!`, isBase64Encoded: true },
      {
        ...apiEvent('HTTP API v2', ''),
        body: Buffer.from([0xff, 0xfe, 0x22]).toString('base64'),
        isBase64Encoded: true,
      },
    ];
    for (const event of cases) {
      const answer = await call(pseudonymize, event);
      expect(answer.statusCode).toBe(400);
      expect(answer.body).not.toContain('jane');
    }
  });

  test('another shape: 400, naming the position of a value that is not a scalar', async () => {
    const shapes: unknown[] = [
      [SECRET],
      JSON.stringify(SECRET), // a JSON string, as the body's text
      42,
      null,
      { identifiers: SECRET },
      { identifiers: { 0: SECRET } },
      { identifiers: [SECRET], extra: 1 },
      { pseudonyms: [SECRET] },
      {},
    ];
    for (const body of shapes) {
      const answer = await call(pseudonymize, apiEvent('REST v1', body));
      expect(answer.statusCode).toBe(400);
      expect(answer.json.message).toBe('the request body must be { "identifiers": [...] }');
    }
    for (const bad of [{ email: SECRET }, [SECRET], []]) {
      const answer = await call(pseudonymize, apiEvent('HTTP API v2', { identifiers: [SECRET, null, bad] }));
      expect(answer.statusCode).toBe(400);
      expect(answer.json.message).toBe('identifiers[2]: must be a string, a number, a boolean or null');
    }
    const shape = await call(reidentify, apiEvent('REST v1', { identifiers: [] }));
    expect(shape.json.message).toBe('the request body must be { "pseudonyms": [...] }');
  });

  test('more than maxValues values, or a value longer than maxValueLength: 413', async () => {
    const small = pseudonymizationHandler({ key: key1, maxValues: 3, maxValueLength: 5 });
    const many = await call(small, apiEvent('REST v1', { identifiers: [1, 2, 3, 4] }));
    expect(many.statusCode).toBe(413);
    expect(many.json.message).toBe('too many values in identifiers: 4, at most 3');
    const long = await call(small, apiEvent('REST v1', { identifiers: ['12345', '123456'] }));
    expect(long.statusCode).toBe(413);
    expect(long.json.message).toBe('identifiers[1]: longer than 5 characters');
    // A number's length is that of its JSON text.
    const number = await call(small, apiEvent('REST v1', { identifiers: [12345, 123456] }));
    expect(number.json.message).toBe('identifiers[1]: longer than 5 characters');
    // Within the limits: three values of five characters, written with every character escaped.
    const escaped = `{"identifiers":[${'"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9",'.repeat(3).slice(0, -1)}]}`;
    expect((await call(small, apiEvent('REST v1', escaped))).statusCode).toBe(200);
  });

  test('a body larger than a request within the limits can be: 413 before any parse', async () => {
    const small = pseudonymizationHandler({ key: key1, maxValues: 2, maxValueLength: 4 });
    const parse = jest.spyOn(JSON, 'parse');
    const huge = { identifiers: [`${SECRET}${'x'.repeat(5000)}`] };
    for (const base64 of [false, true]) {
      const answer = await small(apiEvent('HTTP API v2', huge, { base64 }));
      expect(answer.statusCode).toBe(413);
      expect(answer.body).toBe(JSON.stringify({ message: 'the request body is larger than 1092 bytes' }));
    }
    expect(parse).not.toHaveBeenCalled();
  });

  test('pseudonyms: malformed, not a string, or of a version no key has: 400; no KMS call', async () => {
    const [p] = await pseudonymsOf([SECRET]);
    const byV2 = await call(
      pseudonymizationHandler({ key: key2 }),
      apiEvent('REST v1', { identifiers: [SECRET] }),
    );
    const [q] = byV2.json.pseudonyms as string[];
    const fresh = reidentificationHandler({ key: new TokenKey(v1) });
    kms.reset();
    const cases: [unknown, string][] = [
      [SECRET, 'not a well-formed pseudonym'],
      [`${p}=`, 'not a well-formed pseudonym'],
      [(p as string).replace('tok_1_', 'tok_1-'), 'not a well-formed pseudonym'],
      ['tok_1_AAAA', 'not a well-formed pseudonym'],
      [42, 'must be a pseudonym (a string) or null'],
      [[p], 'must be a pseudonym (a string) or null'],
      [q, "no configured key has the pseudonym's version"],
    ];
    for (const [bad, reason] of cases) {
      const answer = await call(fresh, apiEvent('REST v1', { pseudonyms: [p, bad] }));
      expect(answer.statusCode).toBe(400);
      expect(answer.json).toEqual({ message: `pseudonyms[1]: ${reason}` });
    }
    expect(kms.count('Decrypt')).toBe(0);
  });

  test('a pseudonym of another key or context, or altered: 403, without the token', async () => {
    const globexKey = new TokenKey(globex);
    const foreign = (
      await call(pseudonymizationHandler({ key: globexKey }), apiEvent('REST v1', { identifiers: [SECRET] }))
    ).json.pseudonyms as string[];
    expect(foreign[0]).toMatch(/^tok_1_/); // the same version as key1: only authentication tells them apart
    const [p] = (await pseudonymsOf([SECRET])) as string[];
    const at = p.length - 6;
    const altered = `${p.slice(0, at)}${p[at] === 'A' ? 'B' : 'A'}${p.slice(at + 1)}`;
    for (const bad of [foreign[0], altered]) {
      const answer = await call(reidentify, apiEvent('HTTP API v2', { pseudonyms: [null, p, bad] }));
      expect(answer.statusCode).toBe(403);
      expect(answer.json).toEqual({
        message:
          'pseudonyms[2]: does not authenticate under the key of its version (another key or context, or altered)',
      });
      expect(answer.body).not.toContain(bad.slice(6, 20));
    }
    // And the other way round: globex's handler refuses acme's pseudonyms.
    const back = await call(
      reidentificationHandler({ key: globexKey }),
      apiEvent('REST v1', { pseudonyms: [p] }),
    );
    expect(back.statusCode).toBe(403);
  });

  test('no error message holds a value, a token or the body', async () => {
    const [p] = (await pseudonymsOf([SECRET])) as string[];
    const small = { key: key1, maxValues: 2, maxValueLength: 30 };
    const answers = [
      await call(pseudonymize, apiEvent('REST v1', `{"identifiers":["${SECRET}",]}`)),
      await call(pseudonymize, apiEvent('REST v1', { identifiers: [SECRET, { email: SECRET }] })),
      await call(pseudonymize, apiEvent('REST v1', { identifiers: [SECRET], [SECRET]: 1 })),
      await call(
        pseudonymizationHandler(small),
        apiEvent('REST v1', { identifiers: [`${SECRET}${SECRET}`] }),
      ),
      await call(
        pseudonymizationHandler(small),
        apiEvent('REST v1', { identifiers: [SECRET, SECRET, SECRET] }),
      ),
      await call(reidentify, apiEvent('REST v1', { pseudonyms: [SECRET] })),
      await call(reidentify, apiEvent('REST v1', { pseudonyms: [`${p}x`] })),
      await call(
        reidentify,
        apiEvent('REST v1', { pseudonyms: [`${p.slice(0, -1)}${p.endsWith('A') ? 'Q' : 'A'}`] }),
      ),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBeGreaterThanOrEqual(400);
      expect(Object.keys(answer.json)).toEqual(['message']);
      for (const leak of [SECRET, 'jane', p.slice(6, 16), 'identifiers":'])
        expect(answer.body).not.toContain(leak);
    }
  });
});

describe('KMS failures', () => {
  test('KMS refusing the unwrap: 500 without details; Redshift success: false', async () => {
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    kms.denyAccess(ARN, 'Decrypt');
    const api = pseudonymizationHandler({ key: new TokenKey(v1) });
    const answer = await call(api, apiEvent('REST v1', { identifiers: [SECRET] }));
    expect(answer.statusCode).toBe(500);
    expect(answer.body).toBe('{"message":"Internal Server Error"}');
    const udf = reidentificationHandler({ key: new TokenKey(v1) });
    const [p] = (await pseudonymsOf([SECRET])) as string[];
    expect(await udf(redshiftEvent([[p]]))).toEqual({ success: false, error_msg: 'Internal Server Error' });
    // The log says what failed, never with what.
    expect(logged).toHaveBeenCalledTimes(2);
    for (const [line] of logged.mock.calls) {
      expect(line).toMatch(
        /DataMaskingDecryptKeyError: KMS refused to unwrap the token key \(Decrypt: AccessDenied/,
      );
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(p.slice(6, 16));
    }
  });

  test('KMS throttled: 503 with Retry-After; Redshift success: false; the next request unwraps', async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const fresh = new TokenKey(v1);
    const api = pseudonymizationHandler({ key: fresh });
    kms.throttle('Decrypt', 2);
    const answer = await call(api, apiEvent('HTTP API v2', { identifiers: [SECRET] }));
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['Retry-After']).toBe('1');
    expect(answer.json).toEqual({ message: 'Service Unavailable' });
    expect(await api(redshiftEvent([[SECRET]]))).toEqual({
      success: false,
      error_msg: 'Service Unavailable',
    });
    expect((await call(api, apiEvent('HTTP API v2', { identifiers: [SECRET] }))).statusCode).toBe(200);
  });
});

describe('Amazon Redshift Lambda UDF protocol', () => {
  test('the first argument of each row; SQL NULL stays null, a null row too; JSON types come back', async () => {
    const rows = [[SECRET, 'ignored'], [null], null, [42], [SECRET], [true]];
    const out = await pseudonymize(redshiftEvent(rows));
    expect(out.success).toBe(true);
    const { num_records, results } = out as { num_records: number; results: unknown[] };
    expect(num_records).toBe(6);
    expect(results).toHaveLength(6);
    expect(results[1]).toBeNull();
    expect(results[2]).toBeNull();
    expect(results[4]).toBe(results[0]);
    expect(results[0]).toMatch(/^tok_1_/);
    expect(results[3]).toMatch(/^tok_1_/); // pseudonyms are strings: the function RETURNS varchar
    const back = await reidentify(redshiftEvent(results.map((r) => [r])));
    expect(back).toEqual({ success: true, num_records: 6, results: [SECRET, null, null, 42, SECRET, true] });
    // An API Gateway pseudonym and a Redshift one are the same.
    expect(await pseudonymsOf([SECRET])).toEqual([results[0]]);
  });

  test('a failure names the row, never its value', async () => {
    const [p] = (await pseudonymsOf([SECRET])) as string[];
    const foreign = await pseudonymizationHandler({ key: new TokenKey(globex) })(redshiftEvent([[SECRET]]));
    const cases: [TokenServiceHandler, RedshiftUdfEvent, string][] = [
      [
        pseudonymize,
        redshiftEvent([[SECRET], [null], [{ email: SECRET }]]),
        'row 2: must be a string, a number, a boolean or null',
      ],
      [pseudonymize, redshiftEvent([[SECRET], []]), 'row 1: no argument'],
      [pseudonymize, redshiftEvent([[SECRET], SECRET as never]), 'row 1: no argument'],
      [reidentify, redshiftEvent([[p], [SECRET]]), 'row 1: not a well-formed pseudonym'],
      [
        reidentify,
        redshiftEvent([[p], [null], [(foreign as { results: string[] }).results[0]]]),
        'row 2: does not authenticate under the key of its version (another key or context, or altered)',
      ],
      [
        pseudonymizationHandler({ key: key1, maxValueLength: 8 }),
        redshiftEvent([['short'], [SECRET]]),
        'row 1: longer than 8 characters',
      ],
      [
        pseudonymizationHandler({ key: key1, maxValues: 2 }),
        redshiftEvent([[1], [2], [3]]),
        'too many rows: 3, at most 2',
      ],
    ];
    for (const [handler, event, message] of cases) {
      expect(await handler(event)).toEqual({ success: false, error_msg: message });
    }
  });

  test('num_records must match the rows', async () => {
    for (const numRecords of [3, 1, 0, -1, '2', null]) {
      expect(await pseudonymize(redshiftEvent([[SECRET], ['b']], numRecords as number))).toEqual({
        success: false,
        error_msg: 'num_records does not match the number of rows in arguments',
      });
    }
    expect(await pseudonymize(redshiftEvent([]))).toEqual({ success: true, num_records: 0, results: [] });
  });
});

describe('other events and configuration', () => {
  test('an event that is neither API Gateway nor Redshift fails the invocation, unquoted', async () => {
    const events: unknown[] = [
      null,
      SECRET,
      { identifiers: [SECRET] },
      { Records: [{ body: SECRET }] },
      { arguments: { email: SECRET }, num_records: 1 },
      { arguments: [[SECRET]] },
      { requestContext: { elb: {} }, body: SECRET },
    ];
    for (const event of events) {
      for (const handler of [pseudonymize, reidentify]) {
        const error = await handler(event as TokenServiceHttpEvent).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(DataMaskingUnsupportedTypeError);
        expect((error as Error).message).not.toContain('jane');
      }
    }
  });

  test('options are checked when the handler is made', () => {
    const bad: [(o: never) => unknown, unknown][] = [
      [pseudonymizationHandler, undefined],
      [pseudonymizationHandler, {}],
      [pseudonymizationHandler, { key: v1 }],
      [pseudonymizationHandler, { key: [key1] }],
      [pseudonymizationHandler, { key: key1, maxValue: 3 }],
      [pseudonymizationHandler, { key: key1, maxValues: 0 }],
      [pseudonymizationHandler, { key: key1, maxValues: 1.5 }],
      [pseudonymizationHandler, { key: key1, maxValues: '10' }],
      [pseudonymizationHandler, { key: key1, maxValueLength: Number.POSITIVE_INFINITY }],
      [pseudonymizationHandler, null],
      [reidentificationHandler, { key: [] }],
      [reidentificationHandler, { key: [key1, new TokenKey(v1)] }],
      [reidentificationHandler, { key: [key1, 'key2'] }],
      [reidentificationHandler, { key: key1, maxValueLength: -1 }],
    ];
    for (const [make, options] of bad) {
      expect(() => make(options as never)).toThrow(DataMaskingUnsupportedTypeError);
    }
    expect(() => reidentificationHandler({ key: key1, maxValues: 1, maxValueLength: 1 })).not.toThrow();
  });
});

describe('types', () => {
  test('an API Gateway event gets an HTTP response, a Redshift event a Redshift response', () => {
    // Compile-time only: @types/aws-lambda's events pick the matching overload.
    const typed = async (
      handler: TokenServiceHandler,
      rest: APIGatewayProxyEvent,
      http: APIGatewayProxyEventV2,
      udf: RedshiftUdfEvent,
    ): Promise<[TokenServiceHttpResponse, TokenServiceHttpResponse, RedshiftUdfResponse]> => [
      await handler(rest),
      await handler(http),
      await handler(udf),
    ];
    const lambda: Handler<APIGatewayProxyEvent, TokenServiceHttpResponse> = (event) => pseudonymize(event);
    expect(typeof typed).toBe('function');
    expect(typeof lambda).toBe('function');
  });
});

describe('property', () => {
  const scalar = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
  );
  /** Arrays of scalars with duplicates: a pool, then picks from it. */
  const batch = fc
    .tuple(fc.array(scalar, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }))
    .map(([pool, picks]) => [...pool, ...picks.map((i) => pool[i % pool.length])]);

  test('reidentify(pseudonymize(x)) is x, over API Gateway and Redshift', async () => {
    await fc.assert(
      fc.asyncProperty(batch, fc.constantFrom<Kind>(...KINDS), fc.boolean(), async (values, kind, base64) => {
        const sent = JSON.parse(JSON.stringify(values)) as unknown[]; // what a JSON body can carry (-0 is 0)
        const pseudonyms = (await call(pseudonymize, apiEvent(kind, { identifiers: values }, { base64 })))
          .json.pseudonyms as unknown[];
        const back = await call(reidentify, apiEvent(kind, { pseudonyms }, { base64 }));
        expect(back.json).toEqual({ identifiers: sent });
        const udf = await pseudonymize(redshiftEvent(sent.map((v) => [v])));
        expect(udf).toEqual({ success: true, num_records: sent.length, results: pseudonyms });
        expect(await reidentify(redshiftEvent(pseudonyms.map((p) => [p])))).toEqual({
          success: true,
          num_records: sent.length,
          results: sent,
        });
      }),
      { numRuns: 60 },
    );
  });
});
