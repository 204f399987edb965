import { detectors } from '../../src/detectors/index.js';

const MASK = '*****';
const redact = (text: string): string => detectors.jwt.redact(text, MASK);
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('jwt detector', () => {
  test.each([
    [JWT, '*****'],
    [`token=${JWT}&next=1`, 'token=*****&next=1'],
    [`{"id_token":"${JWT}","exp":1}`, '{"id_token":"*****","exp":1}'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-_', '*****'],
    [`a ${JWT} b ${JWT}.`, 'a ***** b *****.'],
    ['jwe eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy.dGFn end', 'jwe ***** end'],
    ['unsecured eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. end', 'unsecured ***** end'],
    [`Authorization: Bearer ${JWT}`, 'Authorization: Bearer *****'],
  ])('masks %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    ['one segment', 'eyJhbGciOiJIUzI1NiJ9'],
    ['two segments', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0'],
    ['an empty middle segment', 'eyJhbGciOiJIUzI1NiJ9..c2ln'],
    ['not starting with eyJ', 'abc.def.ghi'],
    ['eyJ inside another word', 'keyJam.def.ghi'],
    ['eyJ after a dash', 'x-eyJa.b.c'],
    ['a dotted version', '1.2.3'],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });
});
