import { detectors } from '../../src/detectors/index.js';

const MASK = '*****';
const redact = (text: string): string => detectors.email.redact(text, MASK);

describe('email detector', () => {
  test.each([
    ['contact jane.doe@example.com today', 'contact ***** today'],
    ['first_last+tag%x-y@mail.example.co.uk', '*****'],
    ['{"user":"bob@example.org","id":7}', '{"user":"*****","id":7}'],
    ['<alice@corp.io>', '<*****>'],
    ['write to a@b.cd.', 'write to *****.'],
    ['x@sub-domain.example.com, y@example.net; z@example.travel', '*****, *****; *****'],
    ['USER@EXAMPLE.COM', '*****'],
    ['mailto:jane@example.com?subject=hi', 'mailto:*****?subject=hi'],
  ])('masks %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test('keeps trailing labels that do not end in a letters-only top-level domain', () => {
    expect(redact('jane@example.com.x1 end')).toBe('*****.x1 end');
  });

  test('an address cannot reach into the previous one', () => {
    expect(redact('a@b.com@c.org')).toBe('*****@c.org');
  });

  test.each([
    'no at sign here',
    '@example.com',
    'jane@',
    'jane@localhost',
    'jane@example.c',
    'jane@example.123',
    'jane@.com',
    'a @ b.com',
    'price 3@4.50',
    '@@@',
    'user@@example.com',
  ])('leaves %j alone', (input) => {
    expect(redact(input)).toBe(input);
  });
});
