/**
 * Issue 9, item 4: `keys` (and detectors) reach into every JSON body a log line holds, however it is
 * wrapped: leading whitespace, a UTF-8 byte-order mark, JSON inside JSON, a base64 `body` whose sibling
 * `isBase64Encoded` is `true` (gzipped or not) — in `logEvent` and in `createMaskingLogger`. Each body is
 * closed again exactly as it came, and opening stays linear in the size of the entry.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import inputOutputLogger from '@middy/input-output-logger';
import fc from 'fast-check';
import { createMaskingLogger } from '../../src/logger.js';
import { invoke, type Loose, lambdaContext, restV1CognitoEvent } from '../middleware/events.js';
import { expectNoSecrets, MASK, maskingLogger, S, useLoggerEnv, useOutput } from './support.js';

useLoggerEnv();
const out = useOutput();

const LOGGED_EVENT = 'Lambda invocation event';
const BOM = '\uFEFF';

const secretBody = () => ({ orderId: 'ORD-1', customer: { name: 'Jane', password: S.password } });
const maskedBody = () => ({ orderId: 'ORD-1', customer: { name: 'Jane', password: MASK } });
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

/** The event `logEvent` logs for a request with this body, through a real Middy stack. */
async function loggedEvent(logger: Logger, body: unknown, isBase64Encoded = false): Promise<Loose> {
  const handler = middy(async () => ({ statusCode: 204 })).use(
    injectLambdaContext(logger, { logEvent: true }),
  );
  const event = restV1CognitoEvent({ body, isBase64Encoded });
  const original = structuredClone(event);
  await invoke(handler, event, lambdaContext());
  expect(event).toEqual(original);
  return out.entry(LOGGED_EVENT).event as Loose;
}

/** What `createMaskingLogger` prints for `{ event }` with this body. */
function printedEvent(
  options: Parameters<typeof createMaskingLogger>[0],
  body: unknown,
  isBase64Encoded = false,
) {
  const lines: unknown[] = [];
  const log = createMaskingLogger({ ...options, print: (m) => lines.push(m) });
  log({ event: { body, isBase64Encoded, headers: {} } });
  expect(lines).toHaveLength(1);
  return (lines[0] as { event: Loose }).event;
}

const wrappings: [string, (json: string) => string, (text: string) => string][] = [
  ['leading whitespace', (json) => `\n  \t${json}`, (text) => text],
  ['trailing whitespace', (json) => `${json}\r\n`, (text) => text],
  ['a byte-order mark', (json) => `${BOM}${json}`, (text) => text],
  ['a byte-order mark and whitespace', (json) => `${BOM}\n ${json}\n`, (text) => text],
  ['JSON inside JSON', (json) => JSON.stringify(json), (text) => JSON.parse(text) as string],
  [
    'JSON inside JSON inside JSON',
    (json) => JSON.stringify(JSON.stringify(json)),
    (text) => JSON.parse(JSON.parse(text)) as string,
  ],
  [
    'JSON inside JSON, with a BOM outside',
    (json) => `${BOM}${JSON.stringify(json)}`,
    (text) => JSON.parse(text.slice(1)) as string,
  ],
];

describe('logEvent: keys reach into a string body however it is wrapped', () => {
  test.each(wrappings)('%s', async (_label, wrap, unwrap) => {
    const body = wrap(JSON.stringify(secretBody()));
    const logged = await loggedEvent(maskingLogger({ keys: ['password'] }), body);
    expect(typeof logged.body).toBe('string');
    const text = logged.body as string;
    // Wrapped as it came: the same prefix and suffix around the masked JSON.
    expect(JSON.parse(unwrap(text).replace(/^\uFEFF/, ''))).toEqual(maskedBody());
    expect(text.startsWith(BOM)).toBe(body.startsWith(BOM));
    expect(text.slice(0, 4).trim() === '').toBe(body.slice(0, 4).trim() === '');
    expectNoSecrets(out.text(), [S.password]);
    expect(out.text()).not.toContain('hunter2');
  });

  test('a body that is only whitespace, or not JSON, is logged as it is', async () => {
    const logger = maskingLogger({ keys: ['password'] });
    const logged = await loggedEvent(logger, `  {"password": oops`);
    expect(logged.body).toBe('  {"password": oops');
  });
});

describe('logEvent: field expressions reach into the same bodies (one behaviour with erase)', () => {
  test.each(wrappings)('%s', async (_label, wrap, unwrap) => {
    const body = wrap(JSON.stringify(secretBody()));
    const logged = await loggedEvent(maskingLogger({ fields: ['$.event.body.customer.password'] }), body);
    expect(JSON.parse(unwrap(logged.body as string).replace(/^\uFEFF/, ''))).toEqual(maskedBody());
    expect(out.text()).not.toContain('hunter2');
  });

  test('a base64 body with a BOM', async () => {
    const body = b64(`${BOM}${JSON.stringify(secretBody())}`);
    const logged = await loggedEvent(
      maskingLogger({ fields: ['$.event.body.customer.password'] }),
      body,
      true,
    );
    expect(JSON.parse(unb64(logged.body as string).slice(1))).toEqual(maskedBody());
    expectNoSecrets(out.text(), [S.password]);
  });
});

describe('logEvent: base64 bodies (isBase64Encoded: true)', () => {
  test('a base64 JSON body: keys masked, encoded back as base64', async () => {
    const logged = await loggedEvent(
      maskingLogger({ keys: ['password'] }),
      b64(JSON.stringify(secretBody())),
      true,
    );
    expect(logged.isBase64Encoded).toBe(true);
    expect(JSON.parse(unb64(logged.body as string))).toEqual(maskedBody());
    expectNoSecrets(out.text(), [S.password]);
  });

  test('a base64 body with a BOM and whitespace: the BOM is kept inside the base64', async () => {
    const body = b64(`${BOM}\n${JSON.stringify(secretBody())}`);
    const logged = await loggedEvent(maskingLogger({ keys: ['password'] }), body, true);
    const decoded = unb64(logged.body as string);
    expect(decoded.startsWith(`${BOM}\n`)).toBe(true);
    expect(JSON.parse(decoded.slice(1))).toEqual(maskedBody());
    expectNoSecrets(out.text(), [S.password]);
  });

  test('a gzipped base64 body: gunzipped, masked, gzipped and encoded back', async () => {
    const body = gzipSync(Buffer.from(JSON.stringify(secretBody()))).toString('base64');
    const logged = await loggedEvent(maskingLogger({ keys: ['password'] }), body, true);
    const decoded = gunzipSync(Buffer.from(logged.body as string, 'base64')).toString('utf8');
    expect(JSON.parse(decoded)).toEqual(maskedBody());
  });

  test('base64 text that is not JSON: detectors run on the decoded text', async () => {
    const body = b64(`name=Jane&email=${S.email}&card=${S.card}`);
    const logged = await loggedEvent(maskingLogger({ detectors: ['email', 'creditCard'] }), body, true);
    expect(unb64(logged.body as string)).toBe(`name=Jane&email=${MASK}&card=${MASK}`);
    expectNoSecrets(out.text(), [S.email, S.card]);
  });

  test('base64 binary (not UTF-8 text) and a body with nothing to mask are left byte for byte', async () => {
    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0x80,
    ]).toString('base64');
    const logger = maskingLogger({ keys: ['password'], detectors: ['email'] });
    expect((await loggedEvent(logger, png, true)).body).toBe(png);
    out.clear();
    const plain = b64('{ "orderId": "ORD-1" }');
    expect((await loggedEvent(logger, plain, true)).body).toBe(plain);
  });

  test('isBase64Encoded: false: a base64-looking body is not decoded', async () => {
    const body = b64(JSON.stringify(secretBody()));
    const logged = await loggedEvent(maskingLogger({ keys: ['password'] }), body, false);
    expect(logged.body).toBe(body);
  });
});

describe('createMaskingLogger: the same bodies', () => {
  test.each(wrappings)('%s', (_label, wrap, unwrap) => {
    const event = printedEvent({ keys: ['password'] }, wrap(JSON.stringify(secretBody())));
    expect(JSON.parse(unwrap(event.body as string).replace(/^\uFEFF/, ''))).toEqual(maskedBody());
    expect(JSON.stringify(event)).not.toContain('hunter2');
  });

  test('a base64 body', () => {
    const event = printedEvent({ keys: ['password'] }, b64(`${BOM}${JSON.stringify(secretBody())}`), true);
    expect(JSON.parse(unb64(event.body as string).slice(1))).toEqual(maskedBody());
  });

  test('in a Middy stack with @middy/input-output-logger (event and response)', async () => {
    const lines: unknown[] = [];
    const handler = middy(async () => ({
      statusCode: 200,
      isBase64Encoded: true,
      body: b64(JSON.stringify({ token: { password: S.password } })),
    })).use(
      inputOutputLogger({ logger: createMaskingLogger({ keys: ['password'], print: (m) => lines.push(m) }) }),
    );
    await invoke(handler, restV1CognitoEvent({ body: `${BOM} ${JSON.stringify(secretBody())}` }));
    expect(lines).toHaveLength(2);
    expectNoSecrets(lines.map((l) => JSON.stringify(l)).join('\n'), [S.password]);
  });
});

describe('detectors inside JSON text', () => {
  test('an escaped e-mail address (\\u0040) in a JSON body is found once the JSON is opened', async () => {
    const body = '{"contact":"jane.doe\\u0040example.com"}';
    const logged = await loggedEvent(maskingLogger({ detectors: ['email'] }), body);
    expect(JSON.parse(logged.body as string)).toEqual({ contact: MASK });
  });
});

describe('numbers survive a mask-and-reserialize', () => {
  test('an integer beyond 2^53 next to a masked key is written back exactly', async () => {
    const body = '{"orderId":12345678901234567890,"amount":12.5,"password":"x-secret"}';
    const logged = await loggedEvent(maskingLogger({ keys: ['password'] }), body);
    expect(logged.body).toBe(`{"orderId":12345678901234567890,"amount":12.5,"password":"${MASK}"}`);
  });
});

describe('linear cost', () => {
  test('a 1 MB body of many small JSON strings is masked in well under a second (not quadratic)', () => {
    const items: string[] = [];
    let size = 0;
    for (let i = 0; size < 1_000_000; i++) {
      const item = JSON.stringify({ n: i, password: `pw-${i}`, note: '[]' });
      items.push(item);
      size += item.length + 4;
    }
    const body = JSON.stringify(items);
    const lines: unknown[] = [];
    const log = createMaskingLogger({
      keys: ['password'],
      detectors: ['email'],
      print: (m) => lines.push(m),
    });
    log({ event: { body: JSON.stringify(items.slice(0, 100)) } }); // warm up: growth is measured, not JIT
    lines.length = 0;
    const started = performance.now();
    log({ event: { body } });
    const elapsed = performance.now() - started;
    const printed = JSON.parse((lines[0] as { event: { body: string } }).event.body) as string[];
    expect(printed).toHaveLength(items.length);
    expect(JSON.parse(printed[items.length - 1])).toMatchObject({ password: MASK });
    expect(elapsed).toBeLessThan(2000);
  });

  test('field expressions over a 1 MB body of many small JSON strings stay linear too', () => {
    const items: string[] = [];
    let size = 0;
    for (let i = 0; size < 1_000_000; i++) {
      const item = JSON.stringify({ n: i, password: `pw-${i}` });
      items.push(item);
      size += item.length + 4;
    }
    const lines: unknown[] = [];
    const log = createMaskingLogger({ fields: ['$..password'], print: (m) => lines.push(m) });
    log({ event: { body: JSON.stringify(items.slice(0, 100)) } }); // warm up: growth is measured, not JIT
    lines.length = 0;
    const started = performance.now();
    log({ event: { body: JSON.stringify(items) } });
    const elapsed = performance.now() - started;
    const printed = JSON.parse((lines[0] as { event: { body: string } }).event.body) as string[];
    expect(JSON.parse(printed[items.length - 1])).toMatchObject({ password: MASK });
    // The eraser's opener does this work (about 1 s here on a shared 2-core machine); quadratic would be minutes.
    expect(elapsed).toBeLessThan(3000);
  });

  test('the same JSON string repeated many times is opened once per entry', () => {
    const body = JSON.stringify({ password: 'x', filler: 'y'.repeat(10_000) });
    const lines: unknown[] = [];
    const log = createMaskingLogger({ keys: ['password'], print: (m) => lines.push(m) });
    const started = performance.now();
    log({ bodies: Array.from({ length: 2_000 }, () => body) });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(JSON.stringify(lines)).not.toContain('"password\\":\\"x\\"');
  });
});

describe('property: no secret under a secret key leaves, whatever wraps the JSON', () => {
  const layer = fc.constantFrom('ws', 'bom', 'json', 'base64', 'gzip64', 'none');
  test('random stacks of wrappings, logged by the formatter and by createMaskingLogger', () => {
    fc.assert(
      fc.property(
        fc.array(layer, { minLength: 1, maxLength: 4 }),
        fc.stringMatching(/^[A-Za-z0-9]{10,20}$/),
        (layers, value) => {
          const secret = `s3cr3t-${value}`;
          let text = JSON.stringify({ id: 1, nested: { Password: secret } });
          let base64 = false;
          let gzipped = false;
          for (const l of layers) {
            if (base64) break; // base64 is the outermost layer a body can have
            if (l === 'ws') text = ` \n${text}\t`;
            else if (l === 'bom') text = `${BOM}${text}`;
            else if (l === 'json') text = JSON.stringify(text);
            else if (l === 'base64') {
              text = b64(text);
              base64 = true;
            } else if (l === 'gzip64') {
              text = gzipSync(Buffer.from(text)).toString('base64');
              base64 = true;
              gzipped = true;
            }
          }
          const lines: unknown[] = [];
          createMaskingLogger({ keys: ['password'], print: (m) => lines.push(m) })({
            event: { body: text, isBase64Encoded: base64 },
          });
          const logger = maskingLogger({ keys: ['password'] });
          out.clear();
          logger.info('x', { event: { body: text, isBase64Encoded: base64 } });
          for (const printed of [JSON.stringify(lines[0]), out.text()]) {
            const body = (JSON.parse(printed) as { event: { body: string } }).event.body;
            const bytes = Buffer.from(body, 'base64');
            const inner = !base64 ? body : (gzipped ? gunzipSync(bytes) : bytes).toString('utf8');
            expect(inner).not.toContain(secret);
            expect(printed).not.toContain(secret);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('bytes that hold text', () => {
  test('a Buffer body (JSON, with a BOM) is masked inside and still printed as a Buffer', () => {
    const logger = maskingLogger({ keys: ['password'], detectors: ['email'] });
    logger.info('x', {
      body: Buffer.from(`${BOM}${JSON.stringify({ ...secretBody(), email: S.email })}`),
      gz: gzipSync(Buffer.from(JSON.stringify(secretBody()))),
    });
    const entry = out.entries()[0] as { body: { type: string; data: number[] }; gz: { data: number[] } };
    expect(entry.body.type).toBe('Buffer');
    const text = Buffer.from(entry.body.data).toString('utf8');
    expect(text.startsWith(BOM)).toBe(true);
    expect(JSON.parse(text.slice(1))).toEqual({ ...maskedBody(), email: MASK });
    expect(JSON.parse(gunzipSync(Buffer.from(entry.gz.data)).toString('utf8'))).toEqual(maskedBody());
  });

  test('a Uint8Array of text, and binary bytes left as they are', () => {
    const lines: unknown[] = [];
    const log = createMaskingLogger({ detectors: ['email'], print: (m) => lines.push(m) });
    const binary = new Uint8Array([0xff, 0xfe, 0x00, 0x81]);
    log({ text: new TextEncoder().encode(`mail ${S.email}`), binary });
    const printed = lines[0] as { text: Uint8Array; binary: unknown };
    expect(printed.text).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(printed.text)).toBe(`mail ${MASK}`);
    // Binary bytes print as JSON prints a Uint8Array: its indexed members, untouched.
    expect(JSON.stringify(printed.binary)).toBe(JSON.stringify(binary));
  });
});
