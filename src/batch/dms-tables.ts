/**
 * DMS change records and the DMS-style table keys that pick rules for them (SPEC §9): AWS DMS writes each
 * row change as `{ data, metadata: { 'schema-name', 'table-name', operation, … } }` to Kinesis, Kafka or
 * (through Kinesis) Firehose, and names tables in its rules with `%` wildcards.
 *
 * @module
 */

/** `schema.table` with `%` wildcards, as a whole-string pattern (everything else literal). */
export function tablePattern(key: string): RegExp {
  const literal = key.split('%').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${literal.join('[\\s\\S]*')}$`);
}

/** The schema and table of a DMS change record, or `undefined` for any other payload. */
export function dmsTable(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { data, metadata } = value as { data?: unknown; metadata?: Record<string, unknown> };
  if (data === null || typeof data !== 'object' || metadata === null || typeof metadata !== 'object')
    return undefined;
  const schema = metadata['schema-name'];
  const table = metadata['table-name'];
  return typeof schema === 'string' && typeof table === 'string' ? `${schema}.${table}` : undefined;
}
