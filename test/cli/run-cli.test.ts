import { runCli, USAGE } from '../../src/cli/run-cli.js';
import { createKmsMock, type KmsMock } from '../../src/testing/kms-mock.js';
import { TokenKey } from '../../src/tokens/token-key.js';

const ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

let kms: KmsMock;
beforeAll(() => {
  kms = createKmsMock({ keys: [ARN] });
});
afterAll(() => kms.restore());
beforeEach(() => kms.reset());

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
  });
  return { code, out, err };
}

describe('npx middy-data-masking create-token-key', () => {
  test('prints a descriptor that a TokenKey unwraps and uses', async () => {
    const { code, out, err } = await run(
      'create-token-key',
      '--key-id',
      ARN,
      '--context',
      'tenant_id=acme',
      '--context=purpose=analytics=v2',
      '--version',
      'v3',
    );
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const descriptor = JSON.parse(out);
    expect(descriptor).toEqual({
      wrapped: expect.any(String),
      kmsKeyId: ARN,
      version: 'v3',
      context: { tenant_id: 'acme', purpose: 'analytics=v2' },
    });
    expect(kms.count('GenerateDataKeyWithoutPlaintext')).toBe(1);
    const key = await new TokenKey(descriptor).ready();
    expect(key.detokenize(key.tokenize('jane@example.com'))).toBe('jane@example.com');
    expect(key.tokenize('x')).toMatch(/^tok_v3_/);
  });

  test('usage mistakes exit 2 with the usage, before any KMS call', async () => {
    for (const argv of [
      [],
      ['create-token-key'],
      ['create-token-key', '--key-id', ARN],
      ['create-token-key', '--context', 'a=b'],
      ['create-token-key', '--key-id', ARN, '--context', 'novalue'],
      ['create-token-key', '--key-id', ARN, '--context', 'a=b', '--context', 'a=c'],
      ['create-token-key', '--key-id', ARN, '--context', 'a=b', '--version', 'not_valid'],
      ['create-token-key', '--key-id', ARN, '--context', 'a=b', '--bogus', 'x'],
      ['create-token-key', '--key-id'],
      ['rotate'],
    ]) {
      const { code, out, err } = await run(...argv);
      expect({ argv, code, out }).toEqual({ argv, code: 2, out: '' });
      expect(err.length).toBeGreaterThan(0);
    }
    expect(kms.count('GenerateDataKeyWithoutPlaintext')).toBe(0);
  });

  test('--help prints the usage and exits 0', async () => {
    expect(await run('--help')).toEqual({ code: 0, out: USAGE, err: '' });
    expect(await run('create-token-key', '--help')).toEqual({ code: 0, out: USAGE, err: '' });
  });

  test('KMS refusing exits 1 with a typed message and prints nothing on stdout', async () => {
    kms.denyAccess(ARN, 'GenerateDataKeyWithoutPlaintext');
    const denied = await run('create-token-key', '--key-id', ARN, '--context', 'a=b');
    expect(denied.code).toBe(1);
    expect(denied.out).toBe('');
    expect(denied.err).toContain('DataMaskingEncryptKeyError');
    kms.reset();
    const unknown = await run(
      'create-token-key',
      '--key-id',
      'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000',
      '--context',
      'a=b',
    );
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('NotFoundException');
  });
});
