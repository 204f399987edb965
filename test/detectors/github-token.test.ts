import { detectors } from '../../src/detectors/index.js';

const MASK = '*****';
const redact = (text: string): string => detectors.githubToken.redact(text, MASK);
const BODY = 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
const PAT = `github_pat_11ABCDEFG0123456789abc_${'aB3dE5gH7jK9mN1pQ3sT5vX7zY0'.repeat(2)}abcde`;

describe('githubToken detector', () => {
  test.each(['ghp', 'gho', 'ghu', 'ghs', 'ghr'])('masks a %s_ token', (prefix) => {
    expect(redact(`${prefix}_${BODY}`)).toBe(MASK);
  });

  test.each([
    [PAT, '*****'],
    [`GITHUB_TOKEN=ghp_${BODY}`, 'GITHUB_TOKEN=*****'],
    [`{"token":"ghs_${BODY}"}`, '{"token":"*****"}'],
    [
      `https://x-access-token:ghs_${BODY}@github.com/o/r.git`,
      'https://x-access-token:*****@github.com/o/r.git',
    ],
    [`Authorization: token ghp_${BODY}`, 'Authorization: token *****'],
    [`a ghp_${BODY}, b ${PAT}.`, 'a *****, b *****.'],
  ])('masks %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test('the fine-grained token has the documented shape', () => {
    const [, first, second] = /^github_pat_([A-Za-z0-9]+)_([A-Za-z0-9]+)$/.exec(PAT) ?? [];
    expect([first?.length, second?.length]).toEqual([22, 59]);
  });

  test.each([
    ['a body of 35 characters', `ghp_${BODY.slice(1)}`],
    ['a placeholder', 'ghp_xxx and ghp_<token>'],
    ['an unknown kind', `ghx_${BODY}`],
    ['a prefix glued to a word', `xghp_${BODY} and my_ghp_${BODY}`],
    ['a short fine-grained token', `github_pat_${BODY}`],
    ['an upper-case prefix', `GHP_${BODY}`],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });
});
