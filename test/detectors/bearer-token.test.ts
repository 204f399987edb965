import { detectors } from '../../src/detectors/index.js';

const MASK = '*****';
const redact = (text: string): string => detectors.bearerToken.redact(text, MASK);

describe('bearerToken detector', () => {
  test.each([
    ['Authorization: Bearer abc.DEF-123_~+/=', 'Authorization: Bearer *****'],
    ['authorization: bearer mF_9.B5f-4.1JqM now', 'authorization: bearer ***** now'],
    ['BEARER\tabc123', 'BEARER\t*****'],
    ['{"headers":{"Authorization":"Bearer abc123"}}', '{"headers":{"Authorization":"Bearer *****"}}'],
    ['Bearer a1, Bearer b-2', 'Bearer *****, Bearer *****'],
    ['Authorization: bearer bearer bearer', 'Authorization: bearer ***** bearer'],
  ])('masks the token only in %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    // After an Authorization header name, whatever follows is a credential, even a word.
    ['Authorization: Bearer abc123def456', 'Authorization: Bearer *****'],
    ['Authorization: Bearer abcdef', 'Authorization: Bearer *****'],
    ['Authorization:Bearer token', 'Authorization:Bearer *****'],
    ['"Authorization": "Bearer opaque"', '"Authorization": "Bearer *****"'],
    ['{"authorization":"Bearer abcdef="}', '{"authorization":"Bearer *****"}'],
    ['{\\"Authorization\\":\\"Bearer secret\\"}', '{\\"Authorization\\":\\"Bearer *****\\"}'],
    [
      "curl -H 'Authorization: Bearer abcdef' https://api.example.com",
      "curl -H 'Authorization: Bearer *****' https://api.example.com",
    ],
    ['Proxy-Authorization: Bearer abcdef', 'Proxy-Authorization: Bearer *****'],
    ['authorization = Bearer realm', 'authorization = Bearer *****'],
    // Anywhere else, a run that looks like a token.
    ['token Bearer mF_9.B5f-4.1JqM', 'token Bearer *****'],
    ['Bearer abc123def456 accepted', 'Bearer ***** accepted'],
    ['auth="Bearer opaque-token"', 'auth="Bearer *****"'],
    ['sent Bearer 2YotnFZFEjr1zCsicMWpAA.', 'sent Bearer *****'],
    ['Bearer dGhpcyBpcyBhIHRva2Vu==', 'Bearer *****'],
    ['Bearer abcd== here', 'Bearer ***** here'],
    ['Bearer AbCdEfGhIjKlMnOpQrSt end', 'Bearer ***** end'],
    ['Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln', 'Bearer *****'],
    ['Bearer a/b', 'Bearer *****'],
    ['Bearer x~y', 'Bearer *****'],
  ])('masks the credential in %j', (input, expected) => {
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
    ['a placeholder', 'Authorization: Bearer <token>'],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });

  test.each([
    ['the scheme in prose', 'This API accepts Bearer authentication only.'],
    ['the bearer of a ticket', 'The bearer of this ticket is entitled to 4 free coffee beans 1kg.'],
    ['a log line about a token', 'INFO [notifications] Bearer token rejected for tenant-23'],
    ['a sentence that ends after the word', 'Send it as a Bearer token.'],
    ['short words after Bearer', 'Bearer a, Bearer b'],
    ['an ellipsis', 'Bearer ...'],
    [
      'a challenge',
      'WWW-Authenticate: Bearer realm="orders", error="invalid_token", error_description="The access token expired"',
    ],
    ['a challenge with a scope', 'WWW-Authenticate: Bearer scope="openid profile"'],
    ['a challenge with an unquoted parameter', 'www-authenticate: Bearer error=invalid_token'],
    [
      'a challenge in escaped JSON',
      '{"www-authenticate":"Bearer realm=\\"api\\", error=\\"invalid_token\\""}',
    ],
    ['a challenge with a parameter named by a long word', 'Bearer resource_metadata="https://example.com/x"'],
    [
      'an Authorization header name too far before the word',
      'Authorization header missing; Bearer token expected',
    ],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });
});
