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

  test.each([
    ['jane%40example.com', '*****'],
    ['/unsubscribe?email=jane%40example.com&list=7', '/unsubscribe?email=*****&list=7'],
    ['?e=jane%2Bnews%40example.co.uk', '?e=*****'],
    ['?e=Jane.Doe%2Bx%40Mail.Example.COM#top', '?e=*****#top'],
    [
      'redirect=https%3A%2F%2Fapp.example.com%2F%3Femail%3Djane%40example.com',
      'redirect=https%3A%2F%2Fapp.example.com%2F%3Femail%3D*****',
    ],
    ['q=a%20jane%40example.com', 'q=a%20*****'],
    ['{"to":"bob%40example.org"}', '{"to":"*****"}'],
    ['a%40b.co and c%40d.io', '***** and *****'],
  ])('masks the URL-encoded address in %j whole', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    'discount 100%40 items',
    '%40example.com',
    'jane%40',
    'jane%40localhost',
    'jane%4example.com',
    'rate 5%40 off',
  ])('leaves the URL-encoded look-alike %j alone', (input) => {
    expect(redact(input)).toBe(input);
  });

  test('before a plain @, % is an ordinary local part character', () => {
    expect(redact('a%00@example.com and q%3Djane@example.com')).toBe('***** and *****');
  });

  test('keeps trailing labels that do not end in a letters-only top-level domain', () => {
    expect(redact('jane@example.com.x1 end')).toBe('*****.x1 end');
  });

  test('an address cannot reach into the previous one', () => {
    expect(redact('a@b.com@c.org')).toBe('*****@c.org');
  });

  test.each([
    '"icon":"logo@3x.png"',
    'avatar@2x.webp',
    'img/logo@2x.png and img/logo@3x.PNG',
    'hero@1.5x.jpg, hero@0.75x.jpeg, banner@2X.gif',
    'icon@2x.svg icon@4x.avif icon@2x.ico photo@2x.heic',
    '<img src="/static/brand@2x.png" srcset="/static/brand@3x.png 3x">',
    'url(%22logo%402x.png%22)',
    'logo@2x.png.',
  ])('leaves the image name with a display density %j alone', (input) => {
    expect(redact(input)).toBe(input);
  });

  test.each([
    ['jane@2x.example.com', '*****'],
    ['ops@2x.io', '*****'],
    ['jane@2x.png.example.com', '*****'],
    ['team@3x.co and logo@3x.png', '***** and logo@3x.png'],
    ['jane%40example.com next to logo%402x.png', '***** next to logo%402x.png'],
    ['logo@2x.pngx.com', '*****'],
  ])('still masks the address %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
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

test('a plain address whose local part holds %40 is masked whole (fast-check found it: 0%40@0.aa)', () => {
  for (const address of ['0%40@0.aa', 'jane%40x@example.com', 'a%40%40b@example.org']) {
    expect(detectors.email.redact(`mail ${address} now`, '*****')).toBe('mail ***** now');
  }
});
