/**
 * Attacks on what leaves (issue 9, items 1 and 2; SPEC §4.7 "fail closed, everywhere"), as a user's adversary
 * would try them, on real Middy 7 stacks in the README's order (dataMasking first, or right after
 * injectLambdaContext). A response the middleware cannot open must be withheld, never passed as "field
 * missing"; what it can open (BOM, JSON in JSON, base64, gzip/deflate/br/zstd, Buffers, streams, thenables,
 * class instances, toJSON) must be opened, masked and put back in its original form.
 *
 * Every test asserts the SAFE behaviour; a failing test here is a leak in src.
 */
import { Readable, Writable } from 'node:stream';
import * as zlib from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj, type Request } from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import httpContentEncoding from '@middy/http-content-encoding';
import httpContentNegotiation from '@middy/http-content-negotiation';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpResponseSerializer from '@middy/http-response-serializer';
import type { EraseOptions } from '../../src/index.js';
import { dataMasking } from '../../src/middleware.js';
import {
  EMAIL,
  HTTP_KINDS,
  type HttpResult,
  httpEvent,
  invoke,
  type Loose,
  lambdaContext,
  SSN,
} from './events.js';
import { expectAbsent, loggingErrorHandler, withCapturedOutput } from './harness.js';

const GENERIC_500 = JSON.stringify({ message: 'Internal Server Error' });

/** What the handler looks up: an email and an SSN among data that must survive masking. */
const user = () => ({
  id: 'u-1',
  name: 'Jane Doe',
  email: EMAIL,
  plan: 'pro',
  profile: { ssn: SSN, city: 'Anytown' },
  // Enough repetition for http-content-encoding to find compressing worth it.
  history: Array.from({ length: 40 }, (_, i) => ({ event: 'login', at: 1767225600 + i, ok: true })),
});

/** A POST with a JSON body, as Lambda delivers it, asking for `accept` (and `accept-encoding`). */
const request = (kind: (typeof HTTP_KINDS)[number], headers: Record<string, string> = {}) =>
  httpEvent(kind, { body: JSON.stringify({ id: 'u-1' }), headers });

// --- serializers a real app registers with http-response-serializer -------------------------------------

const toXml = (value: unknown, tag: string): string => {
  if (Array.isArray(value)) return value.map((v) => toXml(v, tag)).join('');
  if (value !== null && typeof value === 'object') {
    return `<${tag}>${Object.entries(value)
      .map(([k, v]) => toXml(v, k))
      .join('')}</${tag}>`;
  }
  return `<${tag}>${String(value)}</${tag}>`;
};

/** A `key: value` text rendering, as a text/plain serializer would write it. */
const toText = (value: unknown): string =>
  Object.entries(value as Loose)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('\n');

const serializers = [
  {
    regex: /^application\/xml$/,
    serializer: ({ body }: { body?: unknown }) => `<?xml version="1.0"?>${toXml(body, 'user')}`,
  },
  { regex: /^application\/json$/, serializer: ({ body }: { body?: unknown }) => JSON.stringify(body) },
  { regex: /^text\/plain$/, serializer: ({ body }: { body?: unknown }) => toText(body) },
];

/**
 * The README's order, with content negotiation and content encoding: injectLambdaContext, dataMasking,
 * then every middleware that touches the body; http-content-encoding used before the serializer so its
 * `after` compresses what the serializer wrote.
 */
function negotiatedStack(
  erase: EraseOptions,
  lambda: (...args: unknown[]) => unknown = async () => ({ statusCode: 200, body: user() }),
) {
  const logger = new Logger({ serviceName: 'users', logLevel: 'DEBUG' });
  return middy(lambda)
    .use(injectLambdaContext(logger, { logEvent: true }))
    .use(dataMasking({ erase }))
    .use(
      httpContentNegotiation({
        parseCharsets: false,
        parseLanguages: false,
        availableMediaTypes: ['application/json', 'application/xml', 'text/plain'],
      }),
    )
    .use(httpContentEncoding())
    .use(httpJsonBodyParser())
    .use(httpResponseSerializer({ serializers, defaultContentType: 'application/json' }))
    .use(loggingErrorHandler());
}

/** The README's first stack, without a serializer: the handler builds its body itself. */
function plainStack(erase: EraseOptions, lambda: (...args: unknown[]) => unknown) {
  return middy(lambda).use(dataMasking({ erase })).use(httpJsonBodyParser()).use(loggingErrorHandler());
}

function header(response: HttpResult, name: string): string | undefined {
  for (const [k, v] of Object.entries(response.headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
}

function decompress(bytes: Buffer, coding: string | undefined): Buffer {
  switch (coding) {
    case 'gzip':
      return zlib.gunzipSync(bytes);
    case 'br':
      return zlib.brotliDecompressSync(bytes);
    case 'deflate':
      return zlib.inflateSync(bytes);
    case 'zstd':
      return (zlib as unknown as { zstdDecompressSync: (b: Buffer) => Buffer }).zstdDecompressSync(bytes);
    default:
      return bytes;
  }
}

/** The body text a client reads: base64 undone, Content-Encoding undone. */
function clientText(response: HttpResult): string {
  const raw = response.body;
  let bytes: Buffer;
  if (Buffer.isBuffer(raw)) bytes = raw;
  else if (typeof raw === 'string')
    bytes = response.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw);
  else return JSON.stringify(raw) ?? '';
  return decompress(bytes, header(response, 'content-encoding')).toString('utf8');
}

async function readStream(stream: unknown): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** A readable stream of `text`, split in chunks of `size` bytes (so a field can straddle two chunks). */
const chunked = (text: string, size = 7) => {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
};

const webStream = (text: string) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      const bytes = new TextEncoder().encode(text);
      controller.enqueue(bytes.subarray(0, 11));
      controller.enqueue(bytes.subarray(11));
      controller.close();
    },
  });

// --- 1. XML and other formats through content negotiation -------------------------------------------------

describe.each(HTTP_KINDS)('%s: a client asks for another format (content negotiation)', (kind) => {
  test('Accept: application/xml with $.body.email configured: withheld (generic 500), the email nowhere', async () => {
    const run = await withCapturedOutput(() =>
      invoke(negotiatedStack({ fields: ['$.body.email'] }), request(kind, { accept: 'application/xml' })),
    );
    expect(run.threw).toBe(false);
    const response = run.result as HttpResult;
    expect(response.statusCode).toBe(500);
    expect(response.body).toBe(GENERIC_500);
    expectAbsent(EMAIL, response, run.output);
  });

  test('Accept: application/xml with only detectors: the XML text is scanned and the email masked', async () => {
    const run = await withCapturedOutput(() =>
      invoke(negotiatedStack({ detectors: ['email'] }), request(kind, { accept: 'application/xml' })),
    );
    const response = run.result as HttpResult;
    expect(response.statusCode).toBe(200);
    expect(header(response, 'content-type')).toBe('application/xml');
    expect(response.body).toContain('<name>Jane Doe</name>');
    expect(response.body).toContain('<email>*****</email>');
    expectAbsent(EMAIL, response, run.output);
  });

  test('Accept: application/json still masks and keeps the rest (control)', async () => {
    const run = await withCapturedOutput(() =>
      invoke(
        negotiatedStack({ fields: ['$.body.email', '$..ssn'] }),
        request(kind, { accept: 'application/json' }),
      ),
    );
    const response = run.result as HttpResult;
    expect(response.statusCode).toBe(200);
    const expected = user();
    expect(JSON.parse(response.body as string)).toEqual({
      ...expected,
      email: '*****',
      profile: { ...expected.profile, ssn: '*****' },
    });
    expectAbsent([EMAIL, SSN], response, run.output);
  });

  test('Accept: text/plain, rendered "email: …" by a text serializer: the email must not leave', async () => {
    // text/plain written by a serializer from the object that held $.body.email is not "provably free of
    // the field": the field is right there, as `email: jane.doe@example.com`.
    const run = await withCapturedOutput(() =>
      invoke(negotiatedStack({ fields: ['$.body.email'] }), request(kind, { accept: 'text/plain' })),
    );
    expect(run.threw).toBe(false);
    expectAbsent(EMAIL, run.result, run.output);
  });

  test('Accept: application/xml + Accept-Encoding: gzip with $.body.email: withheld, not gzipped past the masker', async () => {
    const run = await withCapturedOutput(() =>
      invoke(
        negotiatedStack({ fields: ['$.body.email'] }),
        request(kind, { accept: 'application/xml', 'accept-encoding': 'gzip' }),
      ),
    );
    const response = run.result as HttpResult;
    expect(response.statusCode).toBe(500);
    expectAbsent(EMAIL, response, clientText(response), run.output);
  });

  test('Accept: application/xml + Accept-Encoding: br with only detectors: decoded, masked, re-encoded', async () => {
    const run = await withCapturedOutput(() =>
      invoke(
        negotiatedStack({ detectors: ['email'] }),
        request(kind, { accept: 'application/xml', 'accept-encoding': 'br' }),
      ),
    );
    const response = run.result as HttpResult;
    expect(response.statusCode).toBe(200);
    expect(header(response, 'content-encoding')).toBe('br');
    const text = clientText(response);
    expect(text).toContain('<email>*****</email>');
    expect(text).toContain('<name>Jane Doe</name>');
    expectAbsent(EMAIL, text, run.output);
  });
});

// --- 1. http-content-encoding: compressed before the masker sees it ---------------------------------------

describe.each(['gzip', 'br', 'deflate', 'zstd'])('Accept-Encoding: %s (http-content-encoding)', (coding) => {
  test.each(HTTP_KINDS)(
    '%s: the body is decompressed, masked and recompressed; the rest intact',
    async (kind) => {
      const run = await withCapturedOutput(() =>
        invoke(
          negotiatedStack({ fields: ['$.body.email', '$.body.profile.ssn'] }),
          request(kind, { accept: 'application/json', 'accept-encoding': coding }),
        ),
      );
      const response = run.result as HttpResult;
      expect(response.statusCode).toBe(200);
      // The encoding really happened (otherwise this test proves nothing).
      expect(header(response, 'content-encoding')).toBe(coding);
      expect(response.isBase64Encoded).toBe(true);
      const expected = user();
      expect(JSON.parse(clientText(response))).toEqual({
        ...expected,
        email: '*****',
        profile: { ...expected.profile, ssn: '*****' },
      });
      expectAbsent([EMAIL, SSN], response, clientText(response), run.output);
    },
  );
});

// --- 1. bodies in other forms (standard mode) -------------------------------------------------------------

describe('bodies that need opening (README stack, the handler sets its own content type)', () => {
  const json = () => JSON.stringify(user());
  const respond = (body: unknown, extra: Loose = {}) => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body,
    ...extra,
  });
  const erase: EraseOptions = { fields: ['$.body.email', '$.body.profile.ssn'] };
  const masked = () => {
    const u = user();
    return { ...u, email: '*****', profile: { ...u.profile, ssn: '*****' } };
  };

  async function run(body: unknown, kind: (typeof HTTP_KINDS)[number] = 'httpV2Jwt', extra: Loose = {}) {
    const out = await withCapturedOutput(() =>
      invoke(
        negotiatedStack(erase, async () => respond(body, extra)),
        request(kind),
      ),
    );
    expect(out.threw).toBe(false);
    return { response: out.result as HttpResult, output: out.output };
  }

  test('a Buffer body: masked, still a Buffer', async () => {
    const { response, output } = await run(Buffer.from(json()));
    expect(Buffer.isBuffer(response.body)).toBe(true);
    expect(JSON.parse((response.body as Buffer).toString('utf8'))).toEqual(masked());
    expectAbsent([EMAIL, SSN], (response.body as Buffer).toString('utf8'), output);
  });

  test('a Uint8Array body: masked', async () => {
    const { response, output } = await run(new TextEncoder().encode(json()));
    expect(response.body).toBeInstanceOf(Uint8Array);
    expect(JSON.parse(Buffer.from(response.body as Uint8Array).toString('utf8'))).toEqual(masked());
    expectAbsent([EMAIL, SSN], Buffer.from(response.body as Uint8Array).toString('utf8'), output);
  });

  test('a body with a byte-order mark: masked, the BOM kept', async () => {
    const { response, output } = await run(`\uFEFF${json()}`);
    const body = response.body as string;
    expect(body.charCodeAt(0)).toBe(0xfeff);
    expect(JSON.parse(body.slice(1))).toEqual(masked());
    expectAbsent([EMAIL, SSN], response, output);
  });

  test('a body with leading whitespace (and a BOM before it): masked', async () => {
    for (const prefix of ['\n\t  ', '\uFEFF \r\n']) {
      const { response, output } = await run(`${prefix}${json()}`);
      expect(JSON.parse((response.body as string).replace(/^\uFEFF/, ''))).toEqual(masked());
      expectAbsent([EMAIL, SSN], response, output);
    }
  });

  test('JSON inside JSON (the body is the JSON of a JSON string), twice nested: masked, nesting kept', async () => {
    const once = JSON.stringify(json());
    const { response, output } = await run(once);
    expect(JSON.parse(JSON.parse(response.body as string))).toEqual(masked());
    const twice = JSON.stringify(JSON.stringify(json()));
    const second = await run(twice);
    expect(JSON.parse(JSON.parse(JSON.parse(second.response.body as string)))).toEqual(masked());
    expectAbsent([EMAIL, SSN], response, second.response, output, second.output);
  });

  test('a base64 body (isBase64Encoded) with a BOM inside: masked, still base64', async () => {
    const body = Buffer.from(`\uFEFF${json()}`).toString('base64');
    const { response, output } = await run(body, 'restV1Cognito', { isBase64Encoded: true });
    expect(response.isBase64Encoded).toBe(true);
    const text = Buffer.from(response.body as string, 'base64').toString('utf8');
    expect(JSON.parse(text.replace(/^\uFEFF/, ''))).toEqual(masked());
    expectAbsent([EMAIL, SSN], text, output);
  });

  test('a gzip Buffer body with Content-Encoding: gzip from the handler: masked, still gzip', async () => {
    const { response, output } = await run(zlib.gzipSync(json()), 'alb', {
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(Buffer.isBuffer(response.body)).toBe(true);
    const text = zlib.gunzipSync(response.body as Buffer).toString('utf8');
    expect(JSON.parse(text)).toEqual(masked());
    expectAbsent([EMAIL, SSN], text, output);
  });

  test('NDJSON (application/x-ndjson, and labelled application/json): withheld', async () => {
    const ndjson = `${JSON.stringify({ email: EMAIL })}\n${JSON.stringify({ email: 'john@example.com' })}\n`;
    for (const type of ['application/x-ndjson', 'application/json']) {
      const { response, output } = await run(ndjson, 'functionUrl', { headers: { 'content-type': type } });
      expect(response.statusCode).toBe(500);
      expect(response.body).toBe(GENERIC_500);
      expectAbsent([EMAIL, 'john@example.com'], response, output);
    }
  });

  test('a duplicate key whose last value is already the mask: the first (real) email must not leave', async () => {
    // JSON.parse keeps the last duplicate; the text still carries the first one.
    const body = `{"id":"u-1","email":"${EMAIL}","email":"*****"}`;
    const { response, output } = await run(body);
    expectAbsent(EMAIL, response, output);
  });

  test("the README's JSON serializer turns a Buffer body into {type:'Buffer',data:[…]}: the email's bytes must not leave", async () => {
    // No content type from the handler: http-response-serializer JSON.stringifies the Buffer.
    const out = await withCapturedOutput(() =>
      invoke(
        negotiatedStack(erase, async () => ({ statusCode: 200, body: Buffer.from(json()) })),
        request('httpV2Jwt'),
      ),
    );
    const response = out.result as HttpResult;
    let decoded = '';
    try {
      const parsed = JSON.parse(response.body as string) as { type?: string; data?: number[] };
      if (parsed.type === 'Buffer' && Array.isArray(parsed.data))
        decoded = Buffer.from(parsed.data).toString('utf8');
    } catch {
      // not JSON: nothing to decode
    }
    expectAbsent([EMAIL, SSN], response, decoded, out.output);
  });
});

// --- 1. responses built by classes, DTOs, toJSON ----------------------------------------------------------

describe('responses built by classes, holding DTOs, or with toJSON (no serializer: the runtime JSON.stringifies)', () => {
  /** What API Gateway / the Lambda runtime sends: the JSON of the returned value. */
  const wire = (value: unknown) => JSON.stringify(value) ?? '';

  class HttpResponse {
    public readonly statusCode = 200;
    public readonly headers = { 'content-type': 'application/json' };
    public readonly body: string;
    public constructor(data: unknown) {
      this.body = JSON.stringify(data);
    }
  }

  class UserDto {
    public constructor(
      public readonly id: string,
      public readonly email: string,
      public readonly name: string,
    ) {}
  }

  class PrivateUser {
    readonly #email: string;
    public readonly id = 'u-1';
    public constructor(email: string) {
      this.#email = email;
    }
    public toJSON() {
      return { id: this.id, email: this.#email };
    }
  }

  async function run(
    erase: EraseOptions,
    response: unknown,
    kind: (typeof HTTP_KINDS)[number] = 'httpV2Jwt',
  ) {
    const out = await withCapturedOutput(() =>
      invoke(
        plainStack(erase, async () => response),
        request(kind),
      ),
    );
    expect(out.threw).toBe(false);
    return { result: out.result, output: out.output };
  }

  test.each(HTTP_KINDS)(
    '%s: a response that is a class instance (fields as own props): masked',
    async (kind) => {
      const { result, output } = await run({ fields: ['$.body.email'] }, new HttpResponse(user()), kind);
      expect(JSON.parse(wire(result)).statusCode).toBe(200);
      expect(JSON.parse(JSON.parse(wire(result)).body).email).toBe('*****');
      expectAbsent(EMAIL, wire(result), output);
    },
  );

  test('a body holding a DTO class instance: masked', async () => {
    const { result, output } = await run(
      { fields: ['$.body.user.email'] },
      { statusCode: 200, body: { user: new UserDto('u-1', EMAIL, 'Jane') } },
    );
    expect(JSON.parse(wire(result)).body.user).toEqual({ id: 'u-1', email: '*****', name: 'Jane' });
    expectAbsent(EMAIL, wire(result), output);
  });

  test('a body holding an instance with a private field exposed by toJSON: masked', async () => {
    const { result, output } = await run(
      { fields: ['$.body.user.email'] },
      { statusCode: 200, body: { user: new PrivateUser(EMAIL) } },
    );
    expect(JSON.parse(wire(result)).body.user).toEqual({ id: 'u-1', email: '*****' });
    expectAbsent(EMAIL, wire(result), output);
  });

  test('a toJSON that renames email to mail, with $.body.mail configured (what leaves): masked', async () => {
    const body = {
      email: EMAIL,
      name: 'Jane',
      toJSON() {
        return { mail: this.email, name: this.name };
      },
    };
    const { result, output } = await run({ fields: ['$.body.mail'] }, { statusCode: 200, body });
    expect(JSON.parse(wire(result)).body).toEqual({ mail: '*****', name: 'Jane' });
    expectAbsent(EMAIL, wire(result), output);
  });

  test('a toJSON that renames email to mail, with $.body.email configured (what the handler held): the email must not leave', async () => {
    // The object the handler returned has $.body.email; what leaves carries the same value as `mail`.
    const body = {
      email: EMAIL,
      name: 'Jane',
      toJSON() {
        return { mail: this.email, name: this.name };
      },
    };
    const { result, output } = await run({ fields: ['$.body.email'] }, { statusCode: 200, body });
    expectAbsent(EMAIL, wire(result), output);
  });

  test('a toJSON on the response itself that returns the real body (the own body is a decoy): masked', async () => {
    const response = {
      statusCode: 200,
      body: JSON.stringify({ email: 'decoy@example.org' }),
      toJSON() {
        return { statusCode: 200, body: JSON.stringify({ email: EMAIL, name: 'Jane' }) };
      },
    };
    const { result, output } = await run({ fields: ['$.body.email'] }, response);
    expect(JSON.parse(JSON.parse(wire(result)).body)).toEqual({ email: '*****', name: 'Jane' });
    expectAbsent(EMAIL, wire(result), output);
  });

  test('a DTO whose toJSON returns a JSON string: opened, masked', async () => {
    const dto = { toJSON: () => JSON.stringify({ email: EMAIL, name: 'Jane' }) };
    const { result, output } = await run({ fields: ['$.body.email'] }, { statusCode: 200, body: dto });
    expectAbsent(EMAIL, wire(result), output);
  });

  test('HTTP API v2 / Function URL: a result without statusCode IS the body; $.body.email must not leave', async () => {
    // API Gateway HTTP APIs and Function URLs (payload 2.0) send a result that has no statusCode as the
    // JSON body of a 200: what the client receives is {"id":…,"email":…}.
    for (const kind of ['httpV2Jwt', 'functionUrl'] as const) {
      const { result, output } = await run({ fields: ['$.body.email'] }, { id: 'u-1', email: EMAIL }, kind);
      expectAbsent(EMAIL, wire(result), output);
    }
  });
});

// --- 1. streamed bodies (streamifyResponse) ---------------------------------------------------------------

/** The response stream Lambda hands a streaming handler; the prelude is what HttpResponseStream.from got. */
class ResponseSink extends Writable {
  public readonly chunks: Buffer[] = [];
  public prelude: Loose | undefined;
  public override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    callback();
  }
}

interface Streamed {
  prelude: Loose | undefined;
  bytes: Buffer;
}

const globalWithLambda = globalThis as { awslambda?: unknown };
beforeAll(() => {
  // The Lambda Node.js runtime's globals for response streaming, as the runtime provides them.
  globalWithLambda.awslambda = {
    streamifyResponse: (fn: unknown) => fn,
    HttpResponseStream: {
      from: (stream: ResponseSink, prelude: Loose) => {
        stream.prelude = prelude;
        return stream;
      },
    },
  };
});
afterAll(() => {
  delete globalWithLambda.awslambda;
});

/** A streaming Middy handler (executionModeStreamifyResponse) in the README's order. */
function streamingStack(
  erase: EraseOptions,
  lambda: (...args: unknown[]) => unknown,
  extra: MiddlewareObj[] = [],
) {
  let handler = middy(lambda, { executionMode: executionModeStreamifyResponse }).use(dataMasking({ erase }));
  for (const m of extra) handler = handler.use(m);
  return handler.use(httpJsonBodyParser()).use(loggingErrorHandler());
}

async function stream(handler: unknown, event: unknown): Promise<Streamed & { output: string }> {
  const sink = new ResponseSink();
  const run = await withCapturedOutput(() =>
    (handler as (e: unknown, s: Writable, c: unknown) => Promise<void>)(event, sink, lambdaContext()),
  );
  if (run.threw) throw run.error;
  return { prelude: sink.prelude, bytes: Buffer.concat(sink.chunks), output: run.output };
}

describe('streamed bodies (streamifyResponse)', () => {
  const json = () => JSON.stringify(user());
  const erase: EraseOptions = { fields: ['$.body.email', '$.body.profile.ssn'] };
  const isMasked = (text: string) => {
    const u = user();
    expect(JSON.parse(text)).toEqual({ ...u, email: '*****', profile: { ...u.profile, ssn: '*****' } });
  };
  /** A fresh head per response: middlewares write into `headers`. */
  const head = () => ({ statusCode: 200, headers: { 'content-type': 'application/json' } });

  test.each(HTTP_KINDS)(
    '%s: a Node Readable body, a field split across chunks: masked, streamed',
    async (kind) => {
      const out = await stream(
        streamingStack(erase, async () => ({ ...head(), body: chunked(json(), 5) })),
        request(kind),
      );
      expect(out.prelude).toMatchObject(head());
      isMasked(out.bytes.toString('utf8'));
      expectAbsent([EMAIL, SSN], out.bytes.toString('utf8'), out.output);
    },
  );

  test('a web ReadableStream body: masked, streamed', async () => {
    const out = await stream(
      streamingStack(erase, async () => ({ ...head(), body: webStream(json()) })),
      request('functionUrl'),
    );
    isMasked(out.bytes.toString('utf8'));
    expectAbsent([EMAIL, SSN], out.bytes.toString('utf8'), out.output);
  });

  test('a getter `body` returning a stream: read once, masked, streamed', async () => {
    let reads = 0;
    const response = {
      ...head(),
      get body() {
        reads++;
        return chunked(json());
      },
    };
    const out = await stream(
      streamingStack(erase, async () => response),
      request('functionUrl'),
    );
    isMasked(out.bytes.toString('utf8'));
    expect(reads).toBe(1);
    expectAbsent([EMAIL, SSN], out.bytes.toString('utf8'), out.output);
  });

  test('a response that IS a Readable, $.email configured (the stream is the document): masked, streamed', async () => {
    const out = await stream(
      streamingStack({ fields: ['$.email'] }, async () =>
        chunked(JSON.stringify({ id: 'u-1', email: EMAIL })),
      ),
      request('functionUrl'),
    );
    expect(JSON.parse(out.bytes.toString('utf8'))).toEqual({ id: 'u-1', email: '*****' });
    expectAbsent(EMAIL, out.bytes.toString('utf8'), out.output);
  });

  test('a response that IS a Readable, $.body.email configured (Middy streams it as the HTTP body): the email must not leave', async () => {
    const out = await stream(
      streamingStack({ fields: ['$.body.email'] }, async () =>
        chunked(JSON.stringify({ id: 'u-1', email: EMAIL })),
      ),
      request('functionUrl'),
    );
    expectAbsent(EMAIL, out.bytes.toString('utf8'), out.output);
  });

  test('a response that IS a string, $.body.email configured (Middy streams it as the HTTP body): the email must not leave', async () => {
    const out = await stream(
      streamingStack({ fields: ['$.body.email'] }, async () => JSON.stringify({ id: 'u-1', email: EMAIL })),
      request('functionUrl'),
    );
    expectAbsent(EMAIL, out.bytes.toString('utf8'), out.output);
  });

  test('a class whose `body` is a prototype getter (Middy destructures it when streaming): the email must not leave', async () => {
    class StreamedUser {
      readonly #data = user();
      public readonly statusCode = 200;
      public readonly headers = { 'content-type': 'application/json' };
      public get body(): string {
        return JSON.stringify(this.#data);
      }
    }
    const out = await stream(
      streamingStack(erase, async () => new StreamedUser()),
      request('functionUrl'),
    );
    expectAbsent([EMAIL, SSN], out.bytes.toString('utf8'), out.output);
  });

  test('a response whose `body` is inherited from a prototype object (Middy destructures it): the email must not leave', async () => {
    const response = Object.assign(Object.create({ body: json() }) as Loose, head());
    const out = await stream(
      streamingStack(erase, async () => response),
      request('functionUrl'),
    );
    expectAbsent([EMAIL, SSN], out.bytes.toString('utf8'), out.output);
  });

  test('a Readable body gzipped by http-content-encoding (Accept-Encoding: gzip): decoded, masked, re-encoded', async () => {
    const handler = streamingStack(erase, async () => ({ ...head(), body: chunked(json(), 64) }), [
      httpContentNegotiation({ parseCharsets: false, parseLanguages: false, parseMediaTypes: false }),
      httpContentEncoding(),
    ]);
    const out = await stream(handler, request('functionUrl', { 'accept-encoding': 'gzip' }));
    expect((out.prelude?.headers as Loose | undefined)?.['Content-Encoding']).toBe('gzip');
    const text = zlib.gunzipSync(out.bytes).toString('utf8');
    isMasked(text);
    expectAbsent([EMAIL, SSN], text, out.output);
  });

  test('a web ReadableStream body brotli-compressed by http-content-encoding: decoded, masked, re-encoded', async () => {
    const handler = streamingStack(erase, async () => ({ ...head(), body: webStream(json()) }), [
      httpContentNegotiation({ parseCharsets: false, parseLanguages: false, parseMediaTypes: false }),
      httpContentEncoding(),
    ]);
    const out = await stream(handler, request('functionUrl', { 'accept-encoding': 'br' }));
    expect((out.prelude?.headers as Loose | undefined)?.['Content-Encoding']).toBe('br');
    const text = zlib.brotliDecompressSync(out.bytes).toString('utf8');
    isMasked(text);
    expectAbsent([EMAIL, SSN], text, out.output);
  });

  test('an NDJSON stream (application/x-ndjson) with $.body.email: withheld', async () => {
    const ndjson = `${JSON.stringify({ email: EMAIL })}\n${JSON.stringify({ email: 'john@example.com' })}\n`;
    const out = await stream(
      streamingStack(erase, async () => ({
        statusCode: 200,
        headers: { 'content-type': 'application/x-ndjson' },
        body: chunked(ndjson),
      })),
      request('functionUrl'),
    );
    expect(out.prelude?.statusCode).toBe(500);
    expectAbsent([EMAIL, 'john@example.com'], out.bytes.toString('utf8'), out.output);
  });
});

describe('streamed bodies in standard mode: masked and still a stream afterwards', () => {
  const json = () => JSON.stringify(user());
  const erase: EraseOptions = { fields: ['$.body.email'] };
  /** A fresh head per response: middlewares write into `headers`. */
  const head = () => ({ statusCode: 200, headers: { 'content-type': 'application/json' } });

  test('a Node Readable body comes back a Readable, masked', async () => {
    const run = await withCapturedOutput(() =>
      invoke(
        plainStack(erase, async () => ({ ...head(), body: chunked(json()) })),
        request('alb'),
      ),
    );
    const response = run.result as HttpResult;
    expect(response.body).toBeInstanceOf(Readable);
    const text = (await readStream(response.body)).toString('utf8');
    expect(JSON.parse(text).email).toBe('*****');
    expect(JSON.parse(text).name).toBe('Jane Doe');
    expectAbsent(EMAIL, text, run.output);
  });

  test('a web ReadableStream body comes back a ReadableStream, masked', async () => {
    const run = await withCapturedOutput(() =>
      invoke(
        plainStack(erase, async () => ({ ...head(), body: webStream(json()) })),
        request('alb'),
      ),
    );
    const response = run.result as HttpResult;
    expect(response.body).toBeInstanceOf(ReadableStream);
    const text = (await readStream(response.body)).toString('utf8');
    expect(JSON.parse(text).email).toBe('*****');
    expectAbsent(EMAIL, text, run.output);
  });

  test('a response that IS a Readable comes back a Readable ($.email), masked', async () => {
    const run = await withCapturedOutput(() =>
      invoke(
        plainStack({ fields: ['$.email'] }, async () => chunked(json())),
        request('alb'),
      ),
    );
    expect(run.result).toBeInstanceOf(Readable);
    const text = (await readStream(run.result)).toString('utf8');
    expect(JSON.parse(text).email).toBe('*****');
    expectAbsent(EMAIL, text, run.output);
  });

  test('a getter body returning a stream comes back a stream, masked, the getter read once', async () => {
    let reads = 0;
    const response = {
      ...head(),
      get body() {
        reads++;
        return chunked(json());
      },
    };
    const run = await withCapturedOutput(() =>
      invoke(
        plainStack(erase, async () => response),
        request('alb'),
      ),
    );
    const body = (run.result as HttpResult).body;
    expect(body).toBeInstanceOf(Readable);
    const text = (await readStream(body)).toString('utf8');
    expect(JSON.parse(text).email).toBe('*****');
    expect(reads).toBe(1);
    expectAbsent(EMAIL, text, run.output);
  });

  test('a stream that fails midway: withheld (generic 500), nothing of it leaves', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from(`{"email":"${EMAIL}",`));
        this.destroy(new Error(`socket hang up after ${EMAIL}`));
      },
    });
    const run = await withCapturedOutput(() =>
      invoke(
        plainStack(erase, async () => ({ ...head(), body: failing })),
        request('alb'),
      ),
    );
    const response = run.result as HttpResult;
    expect(response.statusCode).toBe(500);
    expectAbsent(EMAIL, response, run.output);
  });
});

// --- 2. thenables ----------------------------------------------------------------------------------------

describe('thenables (knex, Mongoose, Bluebird) and forgotten awaits', () => {
  const body = () => JSON.stringify({ id: 'u-1', email: EMAIL });
  const respond = () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: body() });
  const erase: EraseOptions = { fields: ['$.body.email'] };
  const isMaskedResult = (result: unknown) => {
    expect(JSON.parse((result as HttpResult).body as string)).toEqual({ id: 'u-1', email: '*****' });
  };

  /** A query builder: `then` on the prototype, resolves asynchronously. */
  class Query {
    // biome-ignore lint/suspicious/noThenProperty: a thenable is the point of the test
    public then<T>(resolve: (value: unknown) => T, reject?: (e: unknown) => T): Promise<T> {
      return new Promise<unknown>((r) => setTimeout(() => r(respond()), 1)).then(resolve, reject);
    }
  }

  test.each(HTTP_KINDS)(
    '%s: the handler returns a plain object with then(): awaited, masked',
    async (kind) => {
      const thenable = {
        // biome-ignore lint/suspicious/noThenProperty: a thenable is the point of the test
        then(resolve: (value: unknown) => void) {
          resolve(respond());
        },
      };
      const run = await withCapturedOutput(() =>
        invoke(
          plainStack(erase, () => thenable),
          request(kind),
        ),
      );
      expect(run.threw).toBe(false);
      isMaskedResult(run.result);
      expectAbsent(EMAIL, run.result, run.output);
    },
  );

  test('the handler returns a query-builder instance (then on the prototype, async): awaited, masked', async () => {
    const run = await withCapturedOutput(() =>
      invoke(
        plainStack(erase, () => new Query()),
        request('restV1Cognito'),
      ),
    );
    isMaskedResult(run.result);
    expectAbsent(EMAIL, run.result, run.output);
  });

  test('a thenable that resolves to another thenable that resolves to the response: masked', async () => {
    const inner = {
      // biome-ignore lint/suspicious/noThenProperty: a thenable is the point of the test
      then: (resolve: (value: unknown) => void) => resolve(respond()),
    };
    const outer = {
      // biome-ignore lint/suspicious/noThenProperty: a thenable is the point of the test
      then: (resolve: (value: unknown) => void) => resolve(inner),
    };
    const run = await withCapturedOutput(() =>
      invoke(
        plainStack(erase, () => outer),
        request('alb'),
      ),
    );
    isMaskedResult(run.result);
    expectAbsent(EMAIL, run.result, run.output);
  });

  test('a body that is a thenable (a lazy query as the body): awaited, masked', async () => {
    const lazy = {
      // biome-ignore lint/suspicious/noThenProperty: a thenable is the point of the test
      then: (resolve: (value: unknown) => void) => resolve(body()),
    };
    const run = await withCapturedOutput(() =>
      invoke(
        plainStack(erase, async () => ({
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: lazy,
        })),
        request('alb'),
      ),
    );
    const result = run.result as HttpResult;
    // Whatever leaves, resolved by the runtime or not: no email.
    const resolved =
      typeof (result.body as { then?: unknown })?.then === 'function'
        ? await (result.body as PromiseLike<unknown>)
        : result.body;
    expectAbsent(EMAIL, result, resolved, run.output);
  });

  test.each(HTTP_KINDS)(
    '%s: an after middleware sets request.response = Promise.resolve(…) without awaiting: masked',
    async (kind) => {
      const forgetful: MiddlewareObj = {
        after: (request: Request) => {
          request.response = Promise.resolve(respond());
        },
      };
      const handler = middy(async () => ({ statusCode: 204 }))
        .use(dataMasking({ erase }))
        .use(forgetful)
        .use(httpJsonBodyParser())
        .use(loggingErrorHandler());
      const run = await withCapturedOutput(() => invoke(handler, request(kind)));
      isMaskedResult(run.result);
      expectAbsent(EMAIL, run.result, run.output);
    },
  );

  test('an after middleware returns a thenable (an early response from after): masked', async () => {
    const early: MiddlewareObj = {
      after: () => ({
        // biome-ignore lint/suspicious/noThenProperty: a thenable is the point of the test
        then: (resolve: (value: unknown) => void) => resolve(respond()),
      }),
    };
    const handler = middy(async () => ({ statusCode: 204 }))
      .use(dataMasking({ erase }))
      .use(early)
      .use(httpJsonBodyParser())
      .use(loggingErrorHandler());
    const run = await withCapturedOutput(() => invoke(handler, request('httpV2Jwt')));
    isMaskedResult(run.result);
    expectAbsent(EMAIL, run.result, run.output);
  });

  test.each([
    [
      'returns a plain thenable',
      (): MiddlewareObj => ({
        before: () => ({
          // biome-ignore lint/suspicious/noThenProperty: a thenable is the point of the test
          then: (resolve: (value: unknown) => void) => resolve(respond()),
        }),
      }),
    ],
    [
      'sets request.earlyResponse to a promise',
      (): MiddlewareObj => ({
        before: (request: Request) => {
          request.earlyResponse = Promise.resolve(respond());
        },
      }),
    ],
    [
      'returns an async function result holding a promise in body',
      (): MiddlewareObj => ({
        before: async () => ({
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: Promise.resolve(body()),
        }),
      }),
    ],
  ])('a before middleware that %s (an early response): masked, the handler not run', async (_, cache) => {
    const lambda = jest.fn(async () => ({ statusCode: 204 }));
    const handler = middy(lambda)
      .use(dataMasking({ erase }))
      .use(cache())
      .use(httpJsonBodyParser())
      .use(loggingErrorHandler());
    const run = await withCapturedOutput(() => invoke(handler, request('functionUrl')));
    expect(lambda).not.toHaveBeenCalled();
    expect(run.threw).toBe(false);
    isMaskedResult(run.result);
    expectAbsent(EMAIL, run.result, run.output);
  });

  test('a handler thenable under the full README stack with the serializer: no email leaves', async () => {
    const thenable = {
      // biome-ignore lint/suspicious/noThenProperty: a thenable is the point of the test
      then: (resolve: (value: unknown) => void) =>
        resolve({ statusCode: 200, body: { id: 'u-1', email: EMAIL } }),
    };
    const run = await withCapturedOutput(() =>
      invoke(
        negotiatedStack(erase, () => thenable),
        request('httpV2Jwt'),
      ),
    );
    expect(run.threw).toBe(false);
    expectAbsent(EMAIL, run.result, run.output);
  });
});
