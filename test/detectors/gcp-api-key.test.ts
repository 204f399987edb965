import { detectors } from '../../src/detectors/index.js';

const MASK = '*****';
const redact = (text: string): string => detectors.gcpApiKey.redact(text, MASK);
const KEY = 'AIzaSyA-1234567890abcdefghijklmnopqrstu';

describe('gcpApiKey detector', () => {
  test('the test key has the documented shape', () => {
    expect(KEY).toMatch(/^AIza[0-9A-Za-z_-]{35}$/);
  });

  test.each([
    [KEY, '*****'],
    ['AIzaSyD_x9Q-3kL2mN4oP6qR8sT0uV2wX4yZ6aB', '*****'],
    [
      `https://maps.googleapis.com/maps/api/geocode/json?address=x&key=${KEY}`,
      'https://maps.googleapis.com/maps/api/geocode/json?address=x&key=*****',
    ],
    [`{"apiKey":"${KEY}","projectId":"demo"}`, '{"apiKey":"*****","projectId":"demo"}'],
    [`GOOGLE_API_KEY=${KEY}\n`, 'GOOGLE_API_KEY=*****\n'],
    [`${KEY}, ${KEY}`, '*****, *****'],
  ])('masks %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    ['a body of 34 characters', KEY.slice(0, -1)],
    ['glued to a key character', `x${KEY} and -${KEY} and _${KEY}`],
    ['another prefix', `AIzb${KEY.slice(4)}`],
    ['a lower-case prefix', `aiza${KEY.slice(4)}`],
    ['the prefix alone', 'AIza'],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });
});
