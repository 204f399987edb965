/**
 * Properties (issue 9, items 1 and 11; SPEC §4.7), with fast-check, on a real Middy 7 stack in the README's
 * order:
 * - responses: for random JSON payloads with secrets at the configured paths, wrapped in random layers
 *   (JSON string, JSON inside JSON, BOM, leading whitespace, base64 + isBase64Encoded, gzip/deflate/br with
 *   Content-Encoding, Buffer), no configured field's original value appears anywhere in what leaves — the
 *   response as a client decodes it, and everything written to stdout/stderr; and since every one of
 *   those layers can be opened, the response is masked (200, the rest intact), not withheld;
 * - requests: a plaintext card wrapped in the same layers never reaches the handler (400).
 */
import * as zlib from 'node:zlib';
import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpResponseSerializer from '@middy/http-response-serializer';
import fc from 'fast-check';
import { dataMasking } from '../../src/middleware.js';
import {
  HTTP_KINDS,
  type HttpResult,
  httpEvent,
  invoke,
  type Loose,
  TENANT_A,
  tenantContext,
} from './events.js';
import { expectAbsent, loggingErrorHandler, useKms, withCapturedOutput } from './harness.js';

const fixture = useKms();

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const key = fc.constantFrom('a', 'b', 'name', 'email', 'ssn', 'token', 'x y', '0', 'é', '');
const leaf: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.boolean(),
  fc.constant(null),
);
const json = fc.letrec<{ value: Json; array: Json[]; object: Record<string, Json> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
}));

/** Secrets that cannot appear by chance in random data. */
const secret = (label: string) => fc.stringMatching(/^[A-Za-z0-9]{10,16}$/).map((s) => `${label}-${s}`);

const FIELDS = ['$.body.email', '$.body.profile.ssn', '$..token'];

interface Payload {
  body: Record<string, Json>;
  secrets: string[];
  /** `profile` sent as a JSON string inside the body (the expression reaches into it). */
  profileAsString: boolean;
}

const payload: fc.Arbitrary<Payload> = fc
  .record({
    top: json.object,
    profile: json.object,
    items: fc.array(json.object, { maxLength: 3 }),
    at: fc.nat(),
    email: secret('EMAIL'),
    ssn: secret('SSN'),
    token: secret('TOKEN'),
    profileAsString: fc.boolean(),
  })
  .map(({ top, profile, items, at, email, ssn, token, profileAsString }) => {
    const list: Json[] = [...items];
    list.splice(at % (list.length + 1), 0, { meta: { token } });
    const inner = { ...profile, ssn };
    return {
      body: { ...top, email, profile: profileAsString ? JSON.stringify(inner) : inner, items: list },
      secrets: [email, ssn, token],
      profileAsString,
    };
  });

/** SPEC §4.1: a selected scalar or object becomes '*****'; an array keeps its length, each element '*****'. */
const mask = (value: Json): Json => (Array.isArray(value) ? value.map(() => '*****') : '*****');

/** What the configured erase should give: email, profile.ssn and every `token` masked. */
function masked({ body, profileAsString }: Payload): Json {
  const tokens = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(tokens);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, k === 'token' ? mask(v) : tokens(v)]),
      );
    }
    return value;
  };
  const out = tokens(body) as Record<string, Json>;
  out.email = '*****';
  if (profileAsString) {
    // A JSON string stays a JSON string; `$..token` reaches into it too (it holds an object).
    const profile = tokens(JSON.parse(body.profile as string)) as Record<string, Json>;
    out.profile = JSON.stringify({ ...profile, ssn: '*****' });
  } else {
    (out.profile as Record<string, Json>).ssn = '*****';
  }
  // What a client gets back from JSON: -0 becomes 0, and so on.
  return JSON.parse(JSON.stringify(out));
}

type TextLayer = 'json' | 'bom' | 'ws';
type Encoding = 'none' | 'base64' | 'gzip' | 'deflate' | 'br' | 'buffer' | 'gzip-buffer';

/**
 * Text layers a client (or a handler) can decode: strip one BOM, then JSON.parse, repeatedly. So a BOM is
 * followed by nothing but a JSON layer (a BOM after whitespace, or two BOMs, is not JSON to anyone).
 */
const textLayers = (maxLength: number) =>
  fc.array(fc.constantFrom<TextLayer>('json', 'json', 'bom', 'ws'), { maxLength }).map((layers) => {
    const out: TextLayer[] = [];
    for (const layer of layers) {
      if (out[out.length - 1] === 'bom' && layer !== 'json') continue;
      out.push(layer);
    }
    return out;
  });

interface Wrapping {
  /** Undefined: the body is left an object. */
  text: TextLayer[] | undefined;
  encoding: Encoding;
}

const wrapping: fc.Arbitrary<Wrapping> = fc.oneof(
  fc.constant<Wrapping>({ text: undefined, encoding: 'none' }),
  fc.record({
    text: textLayers(4),
    encoding: fc.constantFrom<Encoding>('none', 'base64', 'gzip', 'deflate', 'br', 'buffer', 'gzip-buffer'),
  }),
);

function wrapText(value: unknown, layers: readonly TextLayer[]): string {
  let text = JSON.stringify(value);
  for (const layer of layers) {
    if (layer === 'json') text = JSON.stringify(text);
    else if (layer === 'bom') text = `\uFEFF${text}`;
    else text = ` \n\t${text}`;
  }
  return text;
}

function wrap(body: unknown, w: Wrapping): HttpResult {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (w.text === undefined) return { statusCode: 200, headers, body };
  const text = wrapText(body, w.text);
  const bytes = Buffer.from(text, 'utf8');
  switch (w.encoding) {
    case 'none':
      return { statusCode: 200, headers, body: text };
    case 'base64':
      return { statusCode: 200, headers, body: bytes.toString('base64'), isBase64Encoded: true };
    case 'gzip':
      return {
        statusCode: 200,
        headers: { ...headers, 'content-encoding': 'gzip' },
        body: zlib.gzipSync(bytes).toString('base64'),
        isBase64Encoded: true,
      };
    case 'deflate':
      return {
        statusCode: 200,
        headers: { ...headers, 'content-encoding': 'deflate' },
        body: zlib.deflateSync(bytes).toString('base64'),
        isBase64Encoded: true,
      };
    case 'br':
      return {
        statusCode: 200,
        headers: { ...headers, 'Content-Encoding': 'br' },
        body: zlib.brotliCompressSync(bytes).toString('base64'),
        isBase64Encoded: true,
      };
    case 'buffer':
      return { statusCode: 200, headers, body: bytes };
    case 'gzip-buffer':
      return {
        statusCode: 200,
        headers: { ...headers, 'content-encoding': 'gzip' },
        body: zlib.gzipSync(bytes),
      };
  }
}

/** What a client reads: base64 and Content-Encoding undone, then a BOM stripped and JSON parsed, repeatedly. */
function clientRead(response: HttpResult): { texts: string[]; value: unknown } {
  let raw: unknown = response.body;
  if (raw === undefined || raw === null || (typeof raw === 'object' && !(raw instanceof Uint8Array))) {
    return { texts: [JSON.stringify(raw) ?? ''], value: JSON.parse(JSON.stringify(raw) ?? 'null') };
  }
  let bytes =
    raw instanceof Uint8Array
      ? Buffer.from(raw)
      : Buffer.from(raw as string, response.isBase64Encoded === true ? 'base64' : 'utf8');
  const coding = Object.entries(response.headers ?? {}).find(
    ([k]) => k.toLowerCase() === 'content-encoding',
  )?.[1];
  if (coding === 'gzip') bytes = zlib.gunzipSync(bytes);
  else if (coding === 'deflate') bytes = zlib.inflateSync(bytes);
  else if (coding === 'br') bytes = zlib.brotliDecompressSync(bytes);
  const texts: string[] = [];
  raw = bytes.toString('utf8');
  while (typeof raw === 'string') {
    texts.push(raw);
    raw = JSON.parse((raw as string).replace(/^\uFEFF/, ''));
  }
  return { texts, value: raw };
}

describe('responses: no configured field leaves, whatever the wrapping', () => {
  test('random payloads, random layers, every HTTP event kind', async () => {
    await fc.assert(
      fc.asyncProperty(payload, wrapping, fc.constantFrom(...HTTP_KINDS), async (p, w, kind) => {
        const response = wrap(p.body, w);
        const handler = middy(async () => response)
          .use(dataMasking({ erase: { fields: FIELDS } }))
          .use(httpJsonBodyParser())
          .use(
            httpResponseSerializer({
              serializers: [{ regex: /^application\/json$/, serializer: ({ body }) => JSON.stringify(body) }],
              defaultContentType: 'application/json',
            }),
          )
          .use(loggingErrorHandler());
        const run = await withCapturedOutput(() =>
          invoke(handler, httpEvent(kind, { body: JSON.stringify({ q: 1 }) })),
        );
        expect(run.threw).toBe(false);
        const out = run.result as HttpResult;
        let read: { texts: string[]; value: unknown } = { texts: [], value: undefined };
        try {
          read = clientRead(out);
        } catch {
          // Not decodable as the client would: the raw response is all there is to check.
        }
        // The leak property: nothing of any secret in the response (raw and decoded) or the output.
        expectAbsent(p.secrets, out, ...read.texts, read.value, run.output);
        // Every layer here can be opened: masked, not withheld, the rest intact.
        expect(out.statusCode).toBe(200);
        expect(read.value).toEqual(masked(p));
      }),
      { numRuns: Number(process.env.ATTACK_RUNS ?? 200) },
    );
  });
});

describe('requests: a plaintext card in any wrapping never reaches the handler', () => {
  test('random bodies with a plaintext at $.body.card, random layers: 400, the handler never runs', async () => {
    const card = fc.stringMatching(/^[0-9]{13,19}$/).map((digits) => `PAN-${digits}`);
    await fc.assert(
      fc.asyncProperty(
        json.object,
        card,
        textLayers(3),
        fc.boolean(),
        fc.constantFrom(...HTTP_KINDS),
        async (rest, plaintext, layers, base64, kind) => {
          const text = wrapText({ ...rest, card: plaintext }, layers);
          const event = httpEvent(kind, {
            tenant: TENANT_A,
            body: base64 ? Buffer.from(text, 'utf8').toString('base64') : text,
            isBase64Encoded: base64,
          });
          const lambda = jest.fn(async (_event: Loose) => ({ statusCode: 204 }));
          const handler = middy(lambda)
            .use(
              dataMasking({
                masker: fixture.masker(),
                decrypt: { fields: ['$.body.card'], context: tenantContext },
              }),
            )
            .use(httpJsonBodyParser())
            .use(loggingErrorHandler());
          const run = await withCapturedOutput(() => invoke(handler, event));
          expect(lambda).not.toHaveBeenCalled();
          expect(run.threw).toBe(false);
          expect((run.result as HttpResult).statusCode).toBe(400);
          expectAbsent(plaintext, run.result, run.output);
        },
      ),
      { numRuns: Number(process.env.ATTACK_RUNS ?? 120) },
    );
  });
});
