import { detectors } from '../../src/detectors/index.js';

const MASK = '*****';
const redact = (text: string): string => detectors.basicAuth.redact(text, MASK);
const CREDENTIALS = Buffer.from('user:pass').toString('base64');

describe('basicAuth detector', () => {
  test('the test credentials are user:pass', () => {
    expect(CREDENTIALS).toBe('dXNlcjpwYXNz');
  });

  test.each([
    ['Authorization: Basic dXNlcjpwYXNz', 'Authorization: Basic *****'],
    ['authorization: basic dXNlcjpwYXNz', 'authorization: basic *****'],
    ['Basic  YWxhZGRpbjpvcGVuc2VzYW1l rest', 'Basic  ***** rest'],
    ['BASIC\tYWRtaW46c2VjcmV0', 'BASIC\t*****'],
    ['Basic YTpi', 'Basic *****'],
    ['Basic YWRtaW46cGFzc3dvcmQ=', 'Basic *****'],
    ['Basic YWRtaW46cGFzcw==;', 'Basic *****;'],
    ['{"headers":{"Authorization":"Basic dXNlcjpwYXNz"}}', '{"headers":{"Authorization":"Basic *****"}}'],
    [
      'msg="{\\"Authorization\\": \\"Basic dXNlcjpwYXNz\\"}"',
      'msg="{\\"Authorization\\": \\"Basic *****\\"}"',
    ],
    [
      "curl -H 'Authorization: Basic dXNlcjpwYXNz' https://api",
      "curl -H 'Authorization: Basic *****' https://api",
    ],
    ['credentials were Basic dXNlcjpwYXNz', 'credentials were Basic *****'],
  ])('masks the credentials only in %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    ['Authorization: Basic abcd', 'Authorization: Basic *****'],
    ['Proxy-Authorization: Basic Zm9vYmFy', 'Proxy-Authorization: Basic *****'],
    ['"authorization":"Basic Zm9vYmFy"', '"authorization":"Basic *****"'],
    ['authorization=Basic Zm9vYmFy', 'authorization=Basic *****'],
  ])('masks any token after an Authorization header name: %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    ['the word in a sentence', 'basic usage of the API'],
    ['a plan name', 'upgraded from Basic plan to Pro'],
    ['a challenge', 'WWW-Authenticate: Basic realm="api", charset="UTF-8"'],
    ['a token without a colon and no header', 'Basic Zm9vYmFy'],
    ['a token of 3 characters', 'Authorization: Basic abc'],
    ['the word alone', 'Basic'],
    ['no blank', 'Basic:dXNlcjpwYXNz'],
    ['a new line, not a blank', 'Basic\ndXNlcjpwYXNz'],
    ['glued to a word before', 'xbasic dXNlcjpwYXNz'],
    ['a longer word', 'basics dXNlcjpwYXNz'],
    ['a header name glued to a word', 'NotAnAuthorization: Basic Zm9vYmFy'],
    ['text between the header name and Basic', 'Authorization failed, Basic Zm9vYmFy'],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });
});
