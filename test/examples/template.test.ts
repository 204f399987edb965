/**
 * examples/template.yaml (SAM): parsed with the CloudFormation tags and checked for what matters — the
 * runtime, the least-privilege key policy, and handlers that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type ScalarTag } from 'yaml';

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
  Principal: { AWS: unknown };
  Action: string[];
  Condition?: Record<string, unknown>;
};

describe('examples/template.yaml', () => {
  const resources = template.Resources;
  const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Serverless::Function');
  const key = resources.DataKey.Properties.KeyPolicy as { Statement: Statement[] };

  test('runs on nodejs22.x with a memory size', () => {
    expect(template.Globals.Function.Runtime).toBe('nodejs22.x');
    expect(template.Globals.Function.MemorySize).toBeGreaterThanOrEqual(512);
  });

  test('every function has a handler that the module exports, and an entry point esbuild can bundle', () => {
    expect(functions).toHaveLength(7);
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
    const uses = key.Statement.filter((s) => s.Sid !== 'KeyAdministrationByTheAccount');
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
