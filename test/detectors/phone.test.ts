import { detectors, phoneDetector } from '../../src/detectors/index.js';
import { DataMaskingUnsupportedTypeError } from '../../src/errors.js';

const MASK = '*****';
const redact = (text: string): string => detectors.phone.redact(text, MASK);

describe('phone detector', () => {
  test.each([
    ['call +44 20 7946 0958 now', 'call ***** now'],
    ['+1 (415) 555-0132', '*****'],
    ['+1 415 555 0132', '*****'],
    ['+1-415-555-0132', '*****'],
    ['+1.415.555.0132', '*****'],
    ['+14155550132', '*****'],
    ['+44 (0)20 7946 0958', '*****'],
    ['+33 1 23 45 67 89', '*****'],
    ['+49 30 1234567', '*****'],
    ['+81-3-1234-5678', '*****'],
    ['+91 98765 43210', '*****'],
    ['+61 2 9876 5432', '*****'],
    ['+353 (0)1 234 5678', '*****'],
    ['(415) 555-0132', '*****'],
    ['(415)555-0132', '*****'],
    ['(415) 555 0132', '*****'],
    ['415-555-0132', '*****'],
    ['415.555.0132', '*****'],
    ['415 555 0132', '*****'],
    ['1-415-555-0132', '*****'],
    ['1 (415) 555-0132', '*****'],
    ['1.800.555.0199', '*****'],
    ['Phone: 415-555-0132.', 'Phone: *****.'],
    ['Phone:415-555-0132', 'Phone:*****'],
    ['tel:+14155550132', 'tel:*****'],
    ['{"phone":"+1 (415) 555-0132","id":7}', '{"phone":"*****","id":7}'],
    [
      'https://example.com/call?to=%2B14155550132&n=415-555-0132',
      'https://example.com/call?to=%2B14155550132&n=*****',
    ],
    [
      '2024-01-15 10:30:00 INFO sms sent to +447911123456 ok',
      '2024-01-15 10:30:00 INFO sms sent to ***** ok',
    ],
    ['Call 415-555-0132 24 hours a day', 'Call ***** 24 hours a day'],
    ['+1-415-555-0132 24 hours', '***** 24 hours'],
    ['home 415-555-0132, work 415.555.0199', 'home *****, work *****'],
    ['(415) 555-0132 ext. 12', '***** ext. 12'],
    ['call +44 20 7946 0958 2024-01-15', 'call ***** 2024-01-15'],
    ['IP 10.0.0.1 415 555 0132', 'IP 10.0.0.1 *****'],
  ])('masks %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    ['a bare ten-digit number', 'order 4155550132 shipped'],
    ['an eleven-digit number', 'id 14155550132'],
    ['an ISO date', '2026-12-01'],
    ['an ISO timestamp', '2026-12-01T10:30:00.000Z'],
    ['a clock time', '10:30:00'],
    ['a date and a time', '2026-12-01 10:30:00'],
    ['a version', 'v1.2.3 and 10.15.7'],
    ['a price', 'total $415.55, was 1,415.99'],
    ['a price change', 'up +123456.78 today'],
    ['a thousands-grouped amount', '+20.000.000 users'],
    ['a UUID', '550e8400-e29b-41d4-a716-446655440000'],
    ['an IPv4 address', '192.168.100.200'],
    ['an SSN', '123-45-6789'],
    ['a card number', '4111 1111 1111 1111'],
    ['a North American number too short', '+1 555 0100'],
    ['an exchange starting with 0', '(555) 010-0199'],
    ['an area code starting with 1', '155-555-0132'],
    ['an N11 area code', '911-555-0132'],
    ['an N11 exchange', '415-411-0132'],
    ['mixed separators', '415-555.0132'],
    ['a space-separated list of numbers', 'sizes 256 512 1024 2048'],
    ['a number amid others', 'ids 12 415 555 0132'],
    ['an order id', 'ORD-415-555-0132'],
    ['a longer dashed number', '415-555-0132-7'],
    ['a longer dotted number', '1.415.555.0132.5'],
    ['a decimal around it', '5.415-555-0132'],
    ['glued to letters', 'x415-555-0132 and 415-555-0132x'],
    ['a plus inside a word', 'x+14155550132'],
    ['an international number too long', '+1234567890123456'],
    ['an international number too short', '+1234567'],
    ['a country code starting with 0', '+0441234567890'],
    ['a tracking number', '1Z 999 AA1 01 2345 6784'],
    ['an epoch', '1700000000 and 1700000000000'],
    ['a timezone offset', '2026-12-01T10:30:00+05:30'],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });
});

describe('phoneDetector with requireKeyword', () => {
  const keyword = phoneDetector({ requireKeyword: true });
  const redactKeyword = (text: string): string => keyword.redact(text, MASK);

  test('is named phone', () => {
    expect(keyword.name).toBe('phone');
    expect(Object.isFrozen(keyword)).toBe(true);
  });

  test.each([
    ['phone: 4155550132', 'phone: *****'],
    [`phone ${'x'.repeat(28)} 4155550132`, `phone ${'x'.repeat(28)} *****`],
    ['Tel 14155550132', 'Tel *****'],
    ['mobile=(415) 555-0132', 'mobile=*****'],
    ['{"cellPhone":"415-555-0132"}', '{"cellPhone":"*****"}'],
    ['{"contactPhone":"+44 20 7946 0958"}', '{"contactPhone":"*****"}'],
    ['PHONE_NUMBER=4155550132', 'PHONE_NUMBER=*****'],
    ['Fax: +1 415 555 0132', 'Fax: *****'],
    ['please call me at 415.555.0132', 'please call me at *****'],
    ['phones: 415-555-0132, 415-555-0133, 415-555-0134, 415-555-0135', 'phones: *****, *****, *****, *****'],
  ])('masks %j', (input, expected) => {
    expect(redactKeyword(input)).toBe(expected);
  });

  test.each([
    ['no keyword', 'order 4155550132 and (415) 555-0132'],
    ['a keyword after the number', '4155550132 is my phone'],
    ['a keyword too far before the number', `phone ${'x'.repeat(29)} 4155550132`],
    ['a keyword inside a word', 'smartphone 4155550132 and hotel 4155550132'],
    ['a bare number failing the NANP rules', 'phone 1155550132'],
    ['a bare number amid other numbers', 'phone 4155550132 12'],
  ])('leaves %s alone', (_label, input) => {
    expect(redactKeyword(input)).toBe(input);
  });

  test('takes its own keywords and window', () => {
    const custom = phoneDetector({ requireKeyword: true, keywords: ['WhatsApp'], window: 5 });
    expect(custom.redact('whatsapp 4155550132', MASK)).toBe(`whatsapp ${MASK}`);
    // The window counts the characters between the keyword and the number, inclusively, as CloudWatch does.
    expect(custom.redact('whatsapp:    4155550132', MASK)).toBe(`whatsapp:    ${MASK}`);
    expect(custom.redact('whatsapp:     4155550132', MASK)).toBe('whatsapp:     4155550132');
    expect(custom.redact('phone 4155550132', MASK)).toBe('phone 4155550132');
  });

  test('without requireKeyword it is the built-in detector', () => {
    const plain = phoneDetector();
    for (const text of ['415-555-0132', 'order 4155550132', '+44 20 7946 0958']) {
      expect(plain.redact(text, MASK)).toBe(redact(text));
    }
    expect(
      phoneDetector({ requireKeyword: false, keywords: ['x'], window: 10 }).redact('415-555-0132', MASK),
    ).toBe(MASK);
  });

  test.each<[string, unknown]>([
    ['an unknown option', { requireKeywords: true }],
    ['options that are not an object', 'phone'],
    ['null options', null],
    ['an array of options', []],
    ['a requireKeyword that is not a boolean', { requireKeyword: 'yes' }],
    ['keywords that are not an array', { keywords: 'phone' }],
    ['an empty keyword list', { keywords: [] }],
    ['an empty keyword', { keywords: ['phone', ''] }],
    ['a keyword that is not a string', { keywords: [1] }],
    ['a window of 0', { window: 0 }],
    ['a window that is not an integer', { window: 2.5 }],
    ['a window too large', { window: 1_000_000 }],
  ])('rejects %s with the typed error', (_label, options) => {
    expect(() => phoneDetector(options as Parameters<typeof phoneDetector>[0])).toThrow(
      DataMaskingUnsupportedTypeError,
    );
  });

  test('names the unknown option', () => {
    expect(() => phoneDetector({ keyword: ['x'] } as Parameters<typeof phoneDetector>[0])).toThrow(
      /"keyword"/,
    );
  });
});
