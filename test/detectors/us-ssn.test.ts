import { detectors } from '../../src/detectors/index.js';

const MASK = '*****';
const redact = (text: string): string => detectors.usSsn.redact(text, MASK);

describe('usSsn detector', () => {
  test.each([
    ['123-45-6789', '*****'],
    ['SSN: 123-45-6789.', 'SSN: *****.'],
    ['ssn 123 45 6789 on file', 'ssn ***** on file'],
    ['{"ssn":"078-05-1120"}', '{"ssn":"*****"}'],
    ['a 123-45-6789, b 234-56-7890', 'a *****, b *****'],
    ['SSN-123-45-6789', 'SSN-*****'],
    ['123-45-6789 4111', '***** 4111'],
    ['665-01-0001 and 899-99-9999', '***** and *****'],
    ['123 45 6789 123-45-6789', '***** *****'],
  ])('masks %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    ['area 000', '000-12-3456'],
    ['area 666', '666-12-3456'],
    ['area 9xx', '900-12-3456'],
    ['group 00', '123-00-4567'],
    ['serial 0000', '123-45-0000'],
    ['mixed separators', '123-45 6789'],
    ['no separators', '123456789'],
    ['a longer dash run before', '1-123-45-6789'],
    ['a longer dash run after', '123-45-6789-1'],
    ['more digits before', '0123-45-6789'],
    ['more digits after', '123-45-67890'],
    ['a decimal', '1.123-45-6789'],
    ['glued to letters', 'x123-45-6789'],
    ['an ISO date', '2024-01-15'],
    ['a phone number', '+1 555 0100'],
    ['an order id', 'ORD-2024-000123'],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });
});
