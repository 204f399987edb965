import { detectors } from '../../src/detectors/index.js';

const MASK = '*****';
const redact = (text: string): string => detectors.bearerToken.redact(text, MASK);

describe('bearerToken detector', () => {
  test.each([
    ['Authorization: Bearer abc.DEF-123_~+/=', 'Authorization: Bearer *****'],
    ['authorization: bearer mF_9.B5f-4.1JqM now', 'authorization: bearer ***** now'],
    ['BEARER\tabc123', 'BEARER\t*****'],
    ['{"headers":{"Authorization":"Bearer abc123"}}', '{"headers":{"Authorization":"Bearer *****"}}'],
    ['Bearer a, Bearer b', 'Bearer *****, Bearer *****'],
    ['bearer bearer bearer', 'bearer ***** bearer'],
  ])('masks the token only in %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    ['the word alone', 'Bearer'],
    ['the word and a space', 'Bearer '],
    ['no space', 'Bearer:abc'],
    ['a longer word', 'bearerToken abc'],
    ['glued to a word before', 'xbearer abc'],
    ['a token of other characters', 'Bearer "'],
    ['a new line, not a blank', 'Bearer\nabc'],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });
});
