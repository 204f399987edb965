/**
 * examples/pseudonymization-service: the handler module run as Lambda runs it (TOKEN_KEY from the
 * environment, a real token key made against the KMS double) over API Gateway REST (v1, what the template
 * deploys) and HTTP API (v2) events and the Redshift Lambda UDF protocol; and its SAM template, parsed with
 * the CloudFormation tags and checked for the privilege split it claims.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DecryptCommand } from '@aws-sdk/client-kms';
import { parse, type ScalarTag } from 'yaml';
import { createKmsMock, type KmsMock } from '../../src/testing/index.js';
import {
  createTokenKey,
  pseudonymizationHandler,
  TokenKey,
  type TokenKeyDescriptor,
} from '../../src/tokens.js';

const root = join(__dirname, '..', '..');
const CONTEXT = { tenant_id: 'acme', purpose: 'analytics' };
const EMAIL = 'jane.doe@example.com';

type Module = typeof import('../../examples/pseudonymization-service/handler.ts');
const load = (): Promise<Module> => import('../../examples/pseudonymization-service/handler.ts');

/** A REST API (v1) request signed with SigV4 (`AWS_IAM` authorization), as the template's API sends it. */
function restEvent(path: string, body: unknown) {
  return {
    resource: path,
    path,
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json' },
    queryStringParameters: null,
    pathParameters: null,
    requestContext: {
      accountId: '111122223333',
      resourcePath: path,
      httpMethod: 'POST',
      stage: 'v1',
      requestId: 'req-1',
      identity: {
        accountId: '111122223333',
        caller: 'AROAEXAMPLE:etl-job',
        userArn: 'arn:aws:sts::111122223333:assumed-role/etl/etl-job',
      },
    },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

/** An HTTP API (v2) request with IAM authorization, the body base64-encoded as API Gateway may send it. */
function httpV2Event(path: string, body: unknown) {
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: {
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'awscurl' },
      authorizer: { iam: { userArn: 'arn:aws:sts::111122223333:assumed-role/etl/etl-job' } },
      requestId: 'req-2',
      stage: '$default',
    },
    body: Buffer.from(JSON.stringify(body), 'utf8').toString('base64'),
    isBase64Encoded: true,
  };
}

/** What Redshift sends for `SELECT pseudonymize(email) FROM customers`: one argument per row. */
function redshiftEvent(values: unknown[], external_function: string) {
  return {
    request_id: '23FF1F97-F28A-44AA-AB67-266ED976BF40',
    cluster: 'arn:aws:redshift:eu-west-1:111122223333:cluster:analytics',
    user: 'etl',
    database: 'dev',
    external_function,
    query_id: 5678,
    num_records: values.length,
    arguments: values.map((value) => [value]),
  };
}

const json = (response: { body: string }) => JSON.parse(response.body);

describe('examples/pseudonymization-service/handler.ts', () => {
  let kms: KmsMock;
  let descriptor: TokenKeyDescriptor;
  let service: Module;
  const previous = process.env.TOKEN_KEY;

  beforeAll(async () => {
    kms = createKmsMock();
    descriptor = await createTokenKey({ kmsKeyId: kms.keys[0], context: CONTEXT });
    // What a deployment does: the descriptor create-token-key printed, in the environment.
    process.env.TOKEN_KEY = JSON.stringify(descriptor);
    service = await load();
    kms.reset(); // count from here: the module made no KMS call when it loaded
  });
  afterAll(() => {
    kms.restore();
    if (previous === undefined) delete process.env.TOKEN_KEY;
    else process.env.TOKEN_KEY = previous;
  });

  test('both handlers share one unwrap: one KMS Decrypt, under the key context, for the life of the environment', async () => {
    for (let i = 0; i < 3; i++) {
      await Promise.all([
        service.pseudonymize(restEvent('/pseudonymize', { identifiers: [EMAIL] })),
        service.reidentify(redshiftEvent([null], 'reidentify')),
      ]);
    }
    const made = json(await service.pseudonymize(restEvent('/pseudonymize', { identifiers: [EMAIL] })));
    await service.reidentify(restEvent('/reidentify', made));
    const decrypts = kms.client.commandCalls(DecryptCommand);
    expect(decrypts).toHaveLength(1);
    expect(decrypts[0].args[0].input.EncryptionContext).toEqual(CONTEXT);
  });

  test('REST API: pseudonyms are deterministic, keep the order, and re-identify to the identifiers, types kept', async () => {
    const identifiers = [EMAIL, '+44 20 7946 0958', EMAIL, 42, null];
    const made = await service.pseudonymize(restEvent('/pseudonymize', { identifiers }));
    expect(made.statusCode).toBe(200);
    const { pseudonyms } = json(made) as { pseudonyms: (string | null)[] };
    expect(pseudonyms).toHaveLength(5);
    expect(pseudonyms[0]).toMatch(/^tok_1_[A-Za-z0-9_-]+$/);
    expect(pseudonyms[2]).toBe(pseudonyms[0]); // the same email: the same token, so it still joins
    expect(pseudonyms[1]).not.toBe(pseudonyms[0]);
    expect(pseudonyms[4]).toBeNull();
    expect(made.body).not.toContain(EMAIL);

    const back = await service.reidentify(restEvent('/reidentify', { pseudonyms }));
    expect(back.statusCode).toBe(200);
    expect(json(back)).toEqual({ identifiers });
  });

  test('HTTP API (v2, base64 body): the same tokens as through the REST API', async () => {
    const rest = json(await service.pseudonymize(restEvent('/pseudonymize', { identifiers: [EMAIL] })));
    const v2 = await service.pseudonymize(httpV2Event('/pseudonymize', { identifiers: [EMAIL] }));
    expect(v2.statusCode).toBe(200);
    expect(json(v2)).toEqual(rest);
    const back = await service.reidentify(httpV2Event('/reidentify', json(v2)));
    expect(json(back)).toEqual({ identifiers: [EMAIL] });
  });

  test('Redshift Lambda UDF: a column pseudonymized and re-identified, SQL NULL kept', async () => {
    const column = [EMAIL, 'john@example.com', null, EMAIL];
    const made = await service.pseudonymize(redshiftEvent(column, 'pseudonymize'));
    expect(made).toEqual({ success: true, num_records: 4, results: expect.any(Array) });
    const results = (made as { results: (string | null)[] }).results;
    expect(results[3]).toBe(results[0]);
    expect(results[2]).toBeNull();
    const viaApi = json(await service.pseudonymize(restEvent('/pseudonymize', { identifiers: [EMAIL] })));
    expect(results[0]).toBe(viaApi.pseudonyms[0]);

    const back = await service.reidentify(redshiftEvent(results, 'reidentify'));
    expect(back).toEqual({ success: true, num_records: 4, results: column });
  });

  test("another tenant's pseudonym is refused with a 403 that quotes neither it nor a value", async () => {
    const globex = await createTokenKey({
      kmsKeyId: kms.keys[0],
      context: { tenant_id: 'globex', purpose: 'analytics' },
    });
    // Another deployment of the same service, for tenant globex.
    const other = pseudonymizationHandler({ key: new TokenKey(globex) });
    const theirs: string = json(await other(restEvent('/pseudonymize', { identifiers: [EMAIL] })))
      .pseudonyms[0];
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const refused = await service.reidentify(restEvent('/reidentify', { pseudonyms: [theirs] }));
    expect(refused.statusCode).toBe(403);
    expect(json(refused).message).toContain('pseudonyms[0]');
    expect(refused.body).not.toContain(theirs);
    expect(refused.body).not.toContain(EMAIL);
    errors.mockRestore();
  });

  test('without TOKEN_KEY the module refuses to load, saying why', async () => {
    delete process.env.TOKEN_KEY;
    try {
      await jest.isolateModulesAsync(async () => {
        await expect(load()).rejects.toThrow(/TOKEN_KEY is not set/);
      });
    } finally {
      process.env.TOKEN_KEY = JSON.stringify(descriptor);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// The SAM template

const tag = (name: string): ScalarTag => ({
  tag: `!${name}`,
  resolve: (value: string) => ({ [name]: value }),
});
const sequence = (name: string) => ({
  tag: `!${name}`,
  collection: 'seq' as const,
  resolve: (value: unknown) => ({ [name]: value }),
});
const templateDir = join(root, 'examples', 'pseudonymization-service');
const templateText = readFileSync(join(templateDir, 'template.yaml'), 'utf8');
type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };
const template = parse(templateText, {
  customTags: [tag('Ref'), tag('Sub'), tag('GetAtt'), sequence('Sub'), sequence('Join')],
  merge: true,
}) as {
  Parameters: Record<string, { Type: string; NoEcho?: boolean }>;
  Globals: { Function: { Runtime: string; Environment: { Variables: Record<string, unknown> } } };
  Resources: Record<string, Resource>;
};

type Statement = {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Principal: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

/** Every KMS operation that uses key material, or lets someone else use it (a grant). */
const CRYPTO = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateMac',
  'kms:VerifyMac',
  'kms:Sign',
  'kms:Verify',
  'kms:DeriveSharedSecret',
  'kms:CreateGrant',
];
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
/** Whether an IAM action pattern (`kms:Get*`) covers `action`. */
const covers = (pattern: string, action: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action);
const grants = (s: Statement, action: string) =>
  s.Effect === 'Allow' && actions(s).some((pattern) => covers(pattern, action));
const CONTEXT_CONDITION = {
  StringEquals: {
    'kms:EncryptionContext:tenant_id': { Ref: 'TokenContextTenant' },
    'kms:EncryptionContext:purpose': { Ref: 'TokenContextPurpose' },
  },
};

describe('examples/pseudonymization-service/template.yaml', () => {
  const resources = template.Resources;
  const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Serverless::Function');
  const keyPolicy = resources.TokenKmsKey.Properties.KeyPolicy as { Statement: Statement[] };

  test('runs on nodejs22.x, the token key a NoEcho parameter passed in TOKEN_KEY', () => {
    expect(template.Globals.Function.Runtime).toBe('nodejs22.x');
    expect(template.Parameters.TokenKey.NoEcho).toBe(true);
    expect(template.Globals.Function.Environment.Variables.TOKEN_KEY).toEqual({ Ref: 'TokenKey' });
    for (const name of ['KeyCreatorArn', 'EtlPrincipalArn', 'ReidentifierPrincipalArn']) {
      expect(template.Parameters[name]).toBeDefined();
    }
  });

  test('two functions, each handler exported by the module its CodeUri and Handler name, bundled by esbuild', () => {
    expect(functions.map(([name]) => name).sort()).toEqual(['PseudonymizeFunction', 'ReidentifyFunction']);
    const exported = new Set<string>();
    for (const [, fn] of functions) {
      const handler = fn.Properties.Handler as string;
      const file = join(
        templateDir,
        fn.Properties.CodeUri as string,
        `${handler.slice(0, handler.lastIndexOf('.'))}.ts`,
      );
      expect(existsSync(file)).toBe(true);
      const name = handler.slice(handler.lastIndexOf('.') + 1);
      expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`export const ${name}\\b`));
      exported.add(name);
      const build = fn.Metadata?.BuildProperties as { EntryPoints: string[] };
      expect(build.EntryPoints.map((entry) => join(root, entry))).toEqual([file]);
    }
    expect([...exported].sort()).toEqual(['pseudonymize', 'reidentify']);
  });

  test('each function has its own role, with no KMS permission of its own', () => {
    expect(resources.PseudonymizeFunction.Properties.Role).toEqual({ GetAtt: 'PseudonymizeRole.Arn' });
    expect(resources.ReidentifyFunction.Properties.Role).toEqual({ GetAtt: 'ReidentifyRole.Arn' });
    for (const role of ['PseudonymizeRole', 'ReidentifyRole']) {
      const properties = resources[role].Properties;
      expect(resources[role].Type).toBe('AWS::IAM::Role');
      expect(properties.Policies).toBeUndefined();
      expect(JSON.stringify(properties.ManagedPolicyArns)).toMatch(/AWSLambdaBasicExecutionRole/);
      expect(JSON.stringify(properties)).not.toMatch(/kms:/);
    }
    // No kms:* (nor kms:Decrypt*-style wildcards) anywhere in the template.
    expect(templateText).not.toMatch(/kms:\*|kms:Decrypt\*|kms:Generate\*/);
  });

  test('kms:Decrypt goes to the two function roles only, under the token key context', () => {
    const decrypting = keyPolicy.Statement.filter((s) => grants(s, 'kms:Decrypt'));
    expect(decrypting).toHaveLength(1);
    const [decrypt] = decrypting;
    expect(decrypt.Principal).toEqual({
      AWS: [{ GetAtt: 'PseudonymizeRole.Arn' }, { GetAtt: 'ReidentifyRole.Arn' }],
    });
    expect(decrypt.Action).toEqual(['kms:Decrypt']);
    expect(decrypt.Condition).toEqual(CONTEXT_CONDITION);
  });

  test('only the key creator may generate token keys (wrapped only), under the same context', () => {
    const generating = keyPolicy.Statement.filter((s) => grants(s, 'kms:GenerateDataKeyWithoutPlaintext'));
    expect(generating).toHaveLength(1);
    const [generate] = generating;
    expect(generate.Principal).toEqual({ AWS: { Ref: 'KeyCreatorArn' } });
    expect(generate.Action).toEqual(['kms:GenerateDataKeyWithoutPlaintext']);
    expect(generate.Condition).toEqual(CONTEXT_CONDITION);
  });

  test('key administration by the account grants no cryptographic operation, nor a grant', () => {
    const admin = keyPolicy.Statement.find((s) => s.Sid === 'KeyAdministrationByTheAccount') as Statement;
    expect(JSON.stringify(admin.Principal)).toContain(':root');
    for (const action of CRYPTO) expect(grants(admin, action)).toBe(false);
    // And no statement grants anything else that uses the key.
    const others = ['kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext'];
    for (const statement of keyPolicy.Statement) {
      for (const action of CRYPTO.filter((a) => !others.includes(a)))
        expect(grants(statement, action)).toBe(false);
    }
  });

  test('both routes need IAM auth; only the re-identifier may call /reidentify, explicitly', () => {
    const api = resources.TokensApi;
    expect(api.Type).toBe('AWS::Serverless::Api');
    const auth = api.Properties.Auth as {
      DefaultAuthorizer: string;
      InvokeRole: string;
      ResourcePolicy: { CustomStatements: Statement[] };
    };
    expect(auth.DefaultAuthorizer).toBe('AWS_IAM');
    expect(auth.InvokeRole).toBe('NONE');
    const routes = functions.map(([name, fn]) => {
      const events = Object.values(fn.Properties.Events as Record<string, Resource>);
      expect(events).toHaveLength(1);
      return [name, events[0].Type, events[0].Properties];
    });
    expect(routes).toEqual([
      [
        'PseudonymizeFunction',
        'Api',
        { RestApiId: { Ref: 'TokensApi' }, Method: 'POST', Path: '/pseudonymize' },
      ],
      ['ReidentifyFunction', 'Api', { RestApiId: { Ref: 'TokensApi' }, Method: 'POST', Path: '/reidentify' }],
    ]);

    const policy = auth.ResourcePolicy.CustomStatements;
    const onReidentify = (s: Statement) => JSON.stringify(s.Resource).includes('POST/reidentify');
    const deny = policy.filter((s) => s.Effect === 'Deny' && onReidentify(s));
    expect(deny).toHaveLength(1);
    expect(deny[0].Principal).toBe('*');
    expect(deny[0].Condition).toEqual({
      StringNotEquals: { 'aws:PrincipalArn': { Ref: 'ReidentifierPrincipalArn' } },
    });
    const allowed = policy.filter((s) => s.Effect === 'Allow' && onReidentify(s));
    expect(allowed.map((s) => s.Principal)).toEqual([{ AWS: { Ref: 'ReidentifierPrincipalArn' } }]);
  });

  test('Redshift may invoke the pseudonymize function, and nothing else', () => {
    const role = resources.RedshiftPseudonymizeRole.Properties as {
      AssumeRolePolicyDocument: { Statement: Statement[] };
      Policies: { PolicyDocument: { Statement: Statement[] } }[];
      ManagedPolicyArns?: unknown;
    };
    expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain('redshift.amazonaws.com');
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { GetAtt: 'PseudonymizeFunction.Arn' },
      },
    ]);
    expect(JSON.stringify(role)).not.toContain('Reidentify');
  });
});
