/**
 * Plaintext bypasses of decrypt (issue 9, item 11; SPEC §4.7): a client that wants its plaintext to reach
 * the handler "as if decrypted" sends it where the expression does not quite match — a form instead of
 * JSON, an object keyed "0" instead of an array, one string instead of an array, a BOM, leading
 * whitespace, base64. Every such request must be refused with a 400, and the handler must never run.
 *
 * Stacks in the README's order: dataMasking first, then the body parser, then http-error-handler.
 *
 * Every test asserts the SAFE behaviour; a failing test here is a bypass in src.
 */

import type { MiddlewareObj } from '@middy/core';
import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpUrlencodeBodyParser from '@middy/http-urlencode-body-parser';
import { dataMasking } from '../../src/middleware.js';
import {
  CARD,
  HTTP_KINDS,
  type HttpKind,
  type HttpResult,
  httpEvent,
  invoke,
  type Loose,
  TENANT_A,
  tenantContext,
} from './events.js';
import { base64Json, expectAbsent, loggingErrorHandler, useKms, withCapturedOutput } from './harness.js';

const fixture = useKms();
const A = { tenant_id: TENANT_A };
const PAN = CARD.replace(/ /g, ''); // 4111111111111111, as forms and clients send it

let cardOfA: string;
beforeAll(async () => {
  cardOfA = await fixture.ciphertext(CARD, A);
});

function stack(fields: string[], parser: object) {
  const lambda = jest.fn(async (_event: Loose) => ({ statusCode: 204 }));
  const handler = middy(lambda)
    .use(dataMasking({ masker: fixture.masker(), decrypt: { fields, context: tenantContext } }))
    .use(parser as MiddlewareObj)
    .use(loggingErrorHandler());
  return { handler, lambda };
}

/** Sends `event` through the stack; asserts a 400, the handler never run, and the plaintext nowhere. */
async function expectRefused(fields: string[], parser: object, event: Loose) {
  const { handler, lambda } = stack(fields, parser);
  const run = await withCapturedOutput(() => invoke(handler, event));
  expect(lambda).not.toHaveBeenCalled();
  expect(run.threw).toBe(false);
  const response = run.result as HttpResult;
  expect(response.statusCode).toBe(400);
  expectAbsent([CARD, PAN], response, run.output);
}

const event = (
  kind: HttpKind,
  body: unknown,
  headers: Record<string, string> = {},
  isBase64Encoded = false,
) => httpEvent(kind, { tenant: TENANT_A, body, headers, isBase64Encoded });

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe.each(HTTP_KINDS)('%s', (kind) => {
  describe("decrypt { fields: ['$.body.card'] }", () => {
    const fields = ['$.body.card'];

    test('control: a ciphertext is decrypted and the handler runs', async () => {
      const { handler, lambda } = stack(fields, httpJsonBodyParser());
      const run = await withCapturedOutput(() =>
        invoke(handler, event(kind, JSON.stringify({ card: cardOfA }))),
      );
      expect((run.result as HttpResult).statusCode).toBe(204);
      expect((lambda.mock.calls[0][0].body as Loose).card).toBe(CARD);
    });

    test('a form-encoded body card=4111… with http-urlencode-body-parser: 400, the handler never runs', async () => {
      await expectRefused(fields, httpUrlencodeBodyParser(), event(kind, `card=${PAN}&name=Jane+Doe`, FORM));
    });

    test('a form-encoded body with a charset and the card URL-encoded with spaces: 400', async () => {
      await expectRefused(
        fields,
        httpUrlencodeBodyParser(),
        event(kind, `name=Jane%20Doe&card=${encodeURIComponent(CARD)}`, {
          'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
        }),
      );
    });

    test('a base64 form body (isBase64Encoded): 400', async () => {
      await expectRefused(
        fields,
        httpUrlencodeBodyParser(),
        event(kind, Buffer.from(`card=${PAN}`).toString('base64'), FORM, true),
      );
    });

    test('a JSON body with a BOM carrying a plaintext card: 400, not passed', async () => {
      await expectRefused(
        fields,
        httpJsonBodyParser(),
        event(kind, `\uFEFF${JSON.stringify({ card: CARD })}`),
      );
    });

    test('a JSON body with leading whitespace carrying a plaintext card: 400, not passed', async () => {
      await expectRefused(
        fields,
        httpJsonBodyParser(),
        event(kind, `\r\n \t${JSON.stringify({ card: CARD })}`),
      );
    });

    test('a base64 JSON body (isBase64Encoded) carrying a plaintext card: 400', async () => {
      await expectRefused(fields, httpJsonBodyParser(), event(kind, base64Json({ card: CARD }), {}, true));
    });

    test('a base64 JSON body with a BOM carrying a plaintext card: 400', async () => {
      await expectRefused(
        fields,
        httpJsonBodyParser(),
        event(kind, Buffer.from(`\uFEFF${JSON.stringify({ card: CARD })}`).toString('base64'), {}, true),
      );
    });

    test('JSON inside JSON (the body is the JSON of a JSON string) carrying a plaintext card: 400', async () => {
      await expectRefused(
        fields,
        httpJsonBodyParser(),
        event(kind, JSON.stringify(JSON.stringify({ card: CARD }))),
      );
    });

    test.each([
      ['a number', Number(PAN)],
      ['an array holding the plaintext', [CARD]],
      ['an object holding the plaintext', { number: CARD }],
    ])('the card sent as %s: 400', async (_, card) => {
      await expectRefused(fields, httpJsonBodyParser(), event(kind, JSON.stringify({ card })));
    });

    test('a duplicate key: a ciphertext and then a plaintext card: the plaintext never reaches the handler', async () => {
      const { handler, lambda } = stack(fields, httpJsonBodyParser());
      const body = `{"card":"${cardOfA}","card":"5500 0000 0000 0004"}`;
      const run = await withCapturedOutput(() => invoke(handler, event(kind, body)));
      for (const call of lambda.mock.calls) expect(JSON.stringify(call[0].body)).not.toContain('5500');
      expectAbsent('5500 0000 0000 0004', run.result);
    });
  });

  describe("decrypt { fields: ['$.body.items[0].card'] }", () => {
    const fields = ['$.body.items[0].card'];

    test('items sent as an object keyed "0" (items[0].card still works in the handler): 400', async () => {
      await expectRefused(
        fields,
        httpJsonBodyParser(),
        event(kind, JSON.stringify({ items: { 0: { card: CARD } } })),
      );
    });

    test('items sent as one item instead of an array (a handler that accepts either gets the plaintext): 400', async () => {
      // `const items = Array.isArray(body.items) ? body.items : [body.items]`: scalar-vs-array, one level up.
      await expectRefused(
        fields,
        httpJsonBodyParser(),
        event(kind, JSON.stringify({ items: { card: CARD } })),
      );
    });

    test('items sent as a form (items[0][card]=…, as qs-style parsers read it): 400', async () => {
      await expectRefused(
        fields,
        httpUrlencodeBodyParser(),
        event(kind, `items%5B0%5D%5Bcard%5D=${PAN}`, FORM),
      );
    });
  });

  describe("decrypt { fields: ['$.body.cards[*]'] }", () => {
    const fields = ['$.body.cards[*]'];

    test('cards sent as one plaintext string: 400', async () => {
      await expectRefused(fields, httpJsonBodyParser(), event(kind, JSON.stringify({ cards: CARD })));
    });

    test('cards sent as one number: 400', async () => {
      await expectRefused(fields, httpJsonBodyParser(), event(kind, JSON.stringify({ cards: Number(PAN) })));
    });

    test('cards sent as an object of plaintexts: 400', async () => {
      await expectRefused(fields, httpJsonBodyParser(), event(kind, JSON.stringify({ cards: { a: CARD } })));
    });

    test('cards sent as a JSON string of an array of plaintexts: 400', async () => {
      await expectRefused(
        fields,
        httpJsonBodyParser(),
        event(kind, JSON.stringify({ cards: JSON.stringify([CARD]) })),
      );
    });

    test('cards sent as a form (cards=…&cards=…): 400', async () => {
      await expectRefused(
        fields,
        httpUrlencodeBodyParser(),
        event(kind, `cards=${PAN}&cards=5500000000000004`, FORM),
      );
    });
  });
});

describe('a client that mislabels its form body, to a parser that does not check the content type', () => {
  // Apps set disableContentTypeCheck to accept clients that send no (or a wrong) Content-Type. The client
  // controls the label; the parser parses the body as a form whatever it says.
  const fields = ['$.body.card'];
  const lenient = () => httpUrlencodeBodyParser({ disableContentTypeCheck: true });

  test.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['application/octet-stream', { 'content-type': 'application/octet-stream' }],
    ['image/png', { 'content-type': 'image/png' }],
  ])('labelled %s: 400, the handler never runs', async (_, headers) => {
    await expectRefused(fields, lenient(), event('httpV2Jwt', `card=${PAN}&name=Jane+Doe`, headers));
  });

  test('no content type, and a space in a value (not a "form" to the heuristic): 400', async () => {
    const plain = httpEvent('functionUrl', { tenant: TENANT_A, body: `name=Jane Doe&card=${PAN}` });
    delete (plain.headers as Loose)['content-type'];
    await expectRefused(fields, lenient(), plain);
  });

  test('no content type, a single pair: 400', async () => {
    const plain = httpEvent('alb', { tenant: TENANT_A, body: `card=${PAN}` });
    delete (plain.headers as Loose)['content-type'];
    await expectRefused(fields, lenient(), plain);
  });

  test('a JSON parser without the content-type check, and a JSON body labelled text/plain: 400', async () => {
    await expectRefused(
      fields,
      httpJsonBodyParser({ disableContentTypeCheck: true }),
      event('restV1Cognito', JSON.stringify({ card: CARD }), { 'content-type': 'text/plain' }),
    );
  });
});
