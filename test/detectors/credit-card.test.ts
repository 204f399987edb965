import { detectors } from '../../src/detectors/index.js';

const MASK = '*****';
const redact = (text: string): string => detectors.creditCard.redact(text, MASK);

describe('creditCard detector', () => {
  test.each([
    ['4111111111111111', '*****'],
    ['card 4111 1111 1111 1111 exp 12/29', 'card ***** exp 12/29'],
    ['card: 4111-1111-1111-1111.', 'card: *****.'],
    ['amex 378282246310005 ok', 'amex ***** ok'],
    ['amex 3782 822463 10005', 'amex *****'],
    ['diners 3056 930902 5904', 'diners *****'],
    ['mc 5555555555554444, visa 4012888888881881', 'mc *****, visa *****'],
    ['{"pan":"5105105105105100","cvv":"123"}', '{"pan":"*****","cvv":"123"}'],
    ['visa13 4222222222222', 'visa13 *****'],
    ['discover 6011-1111-1111-1117', 'discover *****'],
    ['unionpay 6200000000000005', 'unionpay *****'],
    ['2024-01-01 4111 1111 1111 1111', '2024-01-01 *****'],
    ['(4111111111111111)', '(*****)'],
    ['-4111111111111111', '-*****'],
    ['card 4111.1111.1111.1111 exp 12/29', 'card ***** exp 12/29'],
    ['{"pan":"5555.5555.5555.4444"}', '{"pan":"*****"}'],
    ['amex 3782.822463.10005.', 'amex *****.'],
  ])('masks %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test('prefers the longest Luhn-valid number', () => {
    // 19 digits, Luhn-valid; its 16-digit prefix 4000 0000 0000 0002 is Luhn-valid too.
    expect(redact('x 4000 0000 0000 0002 002 y')).toBe('x ***** y');
  });

  test.each([
    ['a 16-digit number failing Luhn', '4111111111111112'],
    ['a grouped number failing Luhn', '4111 1111 1111 1112'],
    ['a 25-digit number', '4111111111111111000000000'],
    ['a Luhn-valid 16 digits inside 20 digits', '41111111111111110000'],
    ['a 12-digit number', '411111111111'],
    ['a Luhn-valid 13-digit millisecond timestamp', 'ts=1700000000004'],
    ['a Luhn-valid number starting with 0', '0000000000000000'],
    ['a Luhn-valid number starting with 9', '9999999999999995'],
    ['digits glued to letters', 'id4111111111111111'],
    ['digits followed by letters', '4111111111111111abc'],
    ['a decimal fraction', '0.4111111111111111'],
    ['a decimal with a card-like integer part', '4111111111111111.5'],
    ['thousands separators', '4,111,111,111,111,111'],
    ['mixed separators', '4111 1111-1111 1111'],
    ['double spaces', '4111  1111  1111  1111'],
    ['a list of small numbers', '4 5 6 7 8 9 10 11 12 13 14 15'],
    ['an order id', 'ORD-2024-000123'],
    ['dotted groups failing Luhn', '4111.1111.1111.1112'],
    ['a decimal before dotted groups', '0.4111.1111.1111.1111'],
    ['dotted groups after a number', '12.4111.1111.1111.1111'],
    ['dotted groups followed by more', '4111.1111.1111.1111.5'],
    ['dots mixed with spaces', '4111.1111 1111.1111'],
    ['a price', '4111.11 and 1234.56'],
    ['a dotted version', '4111.1.1.1'],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });
});
