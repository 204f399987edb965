/**
 * The command line of `npx middy-data-masking`: `create-token-key` prints a new token key's descriptor
 * (SPEC §10), ready for an environment variable or a parameter.
 *
 * @module
 */
import { DataMaskingError } from '../errors.js';
import { createTokenKey, type TokenKeyGeneratingClient } from '../tokens/create-token-key.js';

/** Where the command writes. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** The KMS client (tests); default: one for the key's region. */
  readonly client?: TokenKeyGeneratingClient;
}

/** The usage text. */
export const USAGE = `Usage: middy-data-masking create-token-key --key-id <kms key arn> --context <key>=<value> [--context <key>=<value> ...] [--version <version>]

Generates a 512-bit token key with KMS GenerateDataKeyWithoutPlaintext, wrapped by the KMS key under the
context, and prints { wrapped, kmsKeyId, version, context } as JSON for new TokenKey(...).

  --key-id   the KMS key that wraps the token key: an ARN (its region is used), a key id or an alias
             (then AWS_REGION picks the region)
  --context  an encryption context entry, key=value (repeat for several); at least one
  --version  the version its tokens carry (tok_<version>_...), letters and digits; default 1
`;

class UsageError extends Error {}

function parseArgs(args: readonly string[]): {
  kmsKeyId: string;
  context: Record<string, string>;
  version?: string;
} {
  let kmsKeyId: string | undefined;
  let version: string | undefined;
  const context: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const eq = flag.startsWith('--') ? flag.indexOf('=') : -1;
    const name = eq > 0 ? flag.slice(0, eq) : flag;
    const value = eq > 0 ? flag.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    switch (name) {
      case '--key-id':
        if (kmsKeyId !== undefined) throw new UsageError('--key-id is given twice');
        kmsKeyId = value;
        break;
      case '--version':
        if (version !== undefined) throw new UsageError('--version is given twice');
        version = value;
        break;
      case '--context': {
        const at = value.indexOf('=');
        if (at <= 0) throw new UsageError('--context takes key=value');
        const key = value.slice(0, at);
        if (Object.hasOwn(context, key)) throw new UsageError(`--context ${key} is given twice`);
        context[key] = value.slice(at + 1);
        break;
      }
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(name)}`);
    }
  }
  if (kmsKeyId === undefined) throw new UsageError('--key-id is required');
  if (Object.keys(context).length === 0) {
    throw new UsageError('at least one --context key=value is required: it binds the key and its tokens');
  }
  return { kmsKeyId, context, version };
}

/**
 * Runs the command line; resolves to the exit code: 0 done, 2 a usage mistake, 1 a failure (KMS refused
 * or unavailable).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? io.stderr : io.stdout).write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'create-token-key') {
    io.stderr.write(`middy-data-masking: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(USAGE);
    return 0;
  }
  try {
    const options = parseArgs(args);
    const descriptor = await createTokenKey(
      io.client === undefined ? options : { ...options, client: io.client },
    );
    io.stdout.write(`${JSON.stringify(descriptor, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`middy-data-masking create-token-key: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    const message =
      error instanceof DataMaskingError
        ? `${error.name}: ${error.message}`
        : 'the token key could not be created';
    io.stderr.write(`middy-data-masking create-token-key: ${message}\n`);
    return error instanceof DataMaskingError && error.name === 'DataMaskingUnsupportedTypeError' ? 2 : 1;
  }
}
