/**
 * examples/template.yaml (SAM): parsed with the CloudFormation tags and checked for what matters — the
 * runtime, the least-privilege key policy, and handlers that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type ScalarTag } from 'yaml';
import { PATH_CONTEXT_KEY, RECORD_CONTEXT_KEY } from '../../src/crypto/binding.js';

const root = join(__dirname, '..', '..');
const tag = (name: string): ScalarTag => ({
  tag: `!${name}`,
  resolve: (value: string) => ({ [name]: value }),
});
const sequence = (name: string) => ({
  tag: `!${name}`,
  collection: 'seq' as const,
  resolve: (value: unknown) => ({ [name]: value }),
});
const template = parse(readFileSync(join(root, 'examples', 'template.yaml'), 'utf8'), {
  customTags: [tag('Ref'), tag('Sub'), tag('GetAtt'), sequence('Sub'), sequence('Join')],
  merge: true,
}) as {
  Globals: { Function: { Runtime: string; MemorySize: number } };
  Resources: Record<
    string,
    { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
};

type Statement = {
  Sid: string;
  Effect: string;
  Principal: { AWS: unknown };
  Action: string[];
  Condition?: Record<string, Record<string, unknown>>;
};

/** The bound path of the SSN in the tenant-isolated function's response (what the middleware gives it). */
const SSN_PATH = "$['body']['ssn']";
const PATH_CONDITION = `kms:EncryptionContext:${PATH_CONTEXT_KEY}`;

describe('examples/template.yaml', () => {
  const resources = template.Resources;
  const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Serverless::Function');
  const key = resources.DataKey.Properties.KeyPolicy as { Statement: Statement[] };

  test('runs on nodejs22.x with a memory size', () => {
    expect(template.Globals.Function.Runtime).toBe('nodejs22.x');
    expect(template.Globals.Function.MemorySize).toBeGreaterThanOrEqual(512);
  });

  test('every function has a handler that the module exports, and an entry point esbuild can bundle', () => {
    expect(functions).toHaveLength(8);
    for (const [, fn] of functions) {
      const handler = fn.Properties.Handler as string;
      const file = `${handler.slice(0, handler.lastIndexOf('.'))}.ts`;
      expect(existsSync(join(root, file))).toBe(true);
      const exported = handler.slice(handler.lastIndexOf('.') + 1);
      expect(readFileSync(join(root, file), 'utf8')).toMatch(new RegExp(`export const ${exported}\\b`));
      const build = fn.Metadata?.BuildProperties as { EntryPoints: string[] };
      expect(build.EntryPoints).toEqual([file]);
    }
  });

  test('the function roles may only generate and decrypt data keys (consumers: only decrypt), for a tenant context', () => {
    const uses = key.Statement.filter((s) =>
      ['FunctionsGenerateAndDecryptDataKeysForATenant', 'ConsumersDecryptDataKeysForATenant'].includes(s.Sid),
    );
    expect(uses).toHaveLength(2);
    const [use, consume] = uses;
    expect(use.Action.sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(JSON.stringify(use.Principal.AWS)).toContain('TenantDecryptRole');
    expect(consume.Action).toEqual(['kms:Decrypt']);
    expect(JSON.stringify(consume.Principal.AWS)).toContain('OrdersConsumerRole');
    for (const statement of uses) {
      expect(JSON.stringify(statement.Principal.AWS)).not.toContain('EraseOnlyRole');
      expect(statement.Condition).toEqual({
        'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['tenant_id'] },
        Null: { 'kms:EncryptionContext:tenant_id': 'false' },
      });
      // No function gets kms:Encrypt (only needed with several keys) or any administrative action.
      expect(statement.Action.some((a) => a === 'kms:Encrypt' || a.endsWith('*'))).toBe(false);
    }
  });

  test('no statement grants kms:Encrypt or kms:CreateGrant (kms:Create*); only administration has wildcards', () => {
    for (const statement of key.Statement) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Action).not.toContain('kms:Encrypt');
      // kms:Create* would include kms:CreateGrant, and a grant could give anyone kms:Decrypt.
      expect(
        statement.Action.some((a) => a === 'kms:*' || a === 'kms:Create*' || a === 'kms:CreateGrant'),
      ).toBe(false);
      if (statement.Sid !== 'KeyAdministrationByTheAccount') {
        expect(statement.Action.some((a) => a.endsWith('*'))).toBe(false);
      }
    }
    const admin = key.Statement.find((s) => s.Sid === 'KeyAdministrationByTheAccount');
    expect(admin?.Action).not.toContain('kms:Decrypt');
  });

  describe('the tenant-isolated function', () => {
    const fn = resources.TenantIsolatedFunction;
    const principal = (s: Statement) => JSON.stringify(s.Principal.AWS);
    const ofRole = (role: string) => key.Statement.filter((s) => principal(s).includes(role));

    test('runs PER_TENANT, with its own role, a handler that exists, and an API that passes the tenant', () => {
      expect(fn.Type).toBe('AWS::Serverless::Function');
      expect(fn.Properties.TenancyConfig).toEqual({ TenantIsolationMode: 'PER_TENANT' });
      expect(fn.Properties.Role).toEqual({ GetAtt: 'TenantIsolatedRole.Arn' });
      expect(resources.TenantIsolatedRole.Type).toBe('AWS::IAM::Role');
      const others = functions.filter(([name]) => name !== 'TenantIsolatedFunction');
      for (const [, other] of others)
        expect(JSON.stringify(other.Properties.Role)).not.toContain('TenantIsolated');
      expect(fn.Properties.Handler).toBe('examples/tenant-isolation/handler.handler');
      const source = readFileSync(join(root, 'examples', 'tenant-isolation', 'handler.ts'), 'utf8');
      expect(source).toMatch(/export const handler\b/);
      expect(source).toMatch(/context: 'tenant'/);
      // Tenant isolation supports neither Function URLs nor HTTP APIs (no X-Amz-Tenant-Id override): a
      // REST API sets the header from the verified token's claim, never from a client header.
      expect(fn.Properties.FunctionUrlConfig).toBeUndefined();
      expect(fn.Properties.Events).toBeUndefined();
      const api = resources.TenantIsolatedApi;
      expect(api.Type).toBe('AWS::Serverless::Api');
      const body = api.Properties.DefinitionBody as {
        paths: Record<string, Record<string, { 'x-amazon-apigateway-integration': Record<string, unknown> }>>;
      };
      const integration = body.paths['/customers'].post['x-amazon-apigateway-integration'];
      expect(integration.type).toBe('aws_proxy');
      expect(JSON.stringify(integration.uri)).toContain('TenantIsolatedFunction.Arn');
      expect(integration.requestParameters).toEqual({
        'integration.request.header.X-Amz-Tenant-Id': 'context.authorizer.claims.tenant_id',
      });
      const permission = resources.TenantIsolatedApiInvokesTheFunction;
      expect(permission.Type).toBe('AWS::Lambda::Permission');
      expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
    });

    test('its role generates and decrypts data keys only under { tenant_id, bound path }, nothing else', () => {
      const statements = ofRole('TenantIsolatedRole');
      expect(statements.flatMap((s) => s.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      for (const statement of statements) {
        expect(principal(statement)).not.toContain('ComplianceReaderRole');
        expect(statement.Condition?.['ForAllValues:StringEquals']).toEqual({
          'kms:EncryptionContextKeys': ['tenant_id', PATH_CONTEXT_KEY, RECORD_CONTEXT_KEY],
        });
        expect(statement.Condition?.Null).toEqual({
          'kms:EncryptionContext:tenant_id': 'false',
          [PATH_CONDITION]: 'false',
        });
      }
    });

    test("the SSN's bound path is decryptable by ComplianceReaderRole only", () => {
      const decrypts = key.Statement.filter((s) => s.Effect === 'Allow' && s.Action.includes('kms:Decrypt'));
      const reader = decrypts.filter((s) => principal(s).includes('ComplianceReaderRole'));
      expect(reader).toHaveLength(1);
      expect(reader[0].Action).toEqual(['kms:Decrypt']);
      expect(principal(reader[0])).toBe(JSON.stringify([{ GetAtt: 'ComplianceReaderRole.Arn' }]));
      expect(reader[0].Condition).toEqual({
        'ForAllValues:StringEquals': {
          'kms:EncryptionContextKeys': ['tenant_id', PATH_CONTEXT_KEY, RECORD_CONTEXT_KEY],
        },
        Null: { 'kms:EncryptionContext:tenant_id': 'false' },
        StringEquals: { [PATH_CONDITION]: SSN_PATH },
      });
      // Every other kms:Decrypt excludes the SSN path: by its value, or by allowing no path key at all.
      for (const statement of decrypts.filter((s) => s !== reader[0])) {
        const keys = statement.Condition?.['ForAllValues:StringEquals']?.['kms:EncryptionContextKeys'];
        expect(Array.isArray(keys)).toBe(true);
        const excluded =
          !(keys as string[]).includes(PATH_CONTEXT_KEY) ||
          statement.Condition?.StringNotEquals?.[PATH_CONDITION] === SSN_PATH;
        expect({ sid: statement.Sid, excluded }).toEqual({ sid: statement.Sid, excluded: true });
      }
      // The role is assumed by the account's principals, with MFA, not by a function.
      const trust = JSON.stringify(resources.ComplianceReaderRole.Properties.AssumeRolePolicyDocument);
      expect(trust).toContain('aws:MultiFactorAuthPresent');
      expect(trust).not.toContain('lambda.amazonaws.com');
    });
  });

  test('the SQS consumer reports batch item failures; the Firehose processor drops, and only erases', () => {
    const consumer = resources.OrdersConsumerFunction.Properties.Events as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    expect(consumer.Orders.Type).toBe('SQS');
    expect(consumer.Orders.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    const stream = resources.MaskedChangesDeliveryStream.Properties as {
      ExtendedS3DestinationConfiguration: { ProcessingConfiguration: { Processors: { Type: string }[] } };
    };
    expect(stream.ExtendedS3DestinationConfiguration.ProcessingConfiguration.Processors[0].Type).toBe(
      'Lambda',
    );
    expect(JSON.stringify(resources.DmsFirehoseMaskingFunction.Properties.Role)).toContain('EraseOnlyRole');
  });

  test('functions that only erase run without any key permission', () => {
    const eraseOnly = functions.filter(([, fn]) =>
      JSON.stringify(fn.Properties.Role).includes('EraseOnlyRole'),
    );
    expect(eraseOnly.map(([name]) => name).sort()).toEqual([
      'ApiGatewayEraseFunction',
      'DmsFirehoseMaskingFunction',
      'InputOutputLoggerFunction',
      'PowertoolsLogsFunction',
    ]);
  });
});
