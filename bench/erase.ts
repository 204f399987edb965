/**
 * bench/erase: ours against @pinojs/redact, structuredClone + jsonpath-plus, a hand-written walker and
 * the path search of jsonpath-plus and json-p3, on the same payloads in the same run.
 */
import redact from '@pinojs/redact';
import { type JSONValue, jsonpath } from 'json-p3';
import { JSONPath } from 'jsonpath-plus';
import { DataMasking } from 'middy-data-masking';
import { measure, target } from './harness.ts';
import { apiPayload, batch } from './payload.ts';

const MASK = '*****';

/** Copy-on-write erase of one key at any depth, written by hand: the floor for `$..card`. */
function eraseKey(value: unknown, key: string): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (v !== null && typeof v === 'object') {
        const m = eraseKey(v, key);
        if (m !== v) {
          out ??= value.slice();
          out[i] = m;
        }
      }
    }
    return out ?? value;
  }
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      if (k === key) {
        out ??= { ...obj };
        out[k] = MASK;
      } else if (v !== null && typeof v === 'object') {
        const m = eraseKey(v, key);
        if (m !== v) {
          out ??= { ...obj };
          out[k] = m;
        }
      }
    }
    return out ?? value;
  }
  return value;
}

/** What users do with jsonpath-plus today: deep-clone, then overwrite every match. */
function cloneAndMask(data: unknown, paths: string[]): unknown {
  const copy = structuredClone(data);
  for (const path of paths) {
    JSONPath({
      path,
      json: copy as object,
      resultType: 'all',
      callback: (r: { parent: Record<string, unknown>; parentProperty: string }) => {
        r.parent[r.parentProperty] = MASK;
      },
    });
  }
  return copy;
}

export async function run(): Promise<string[]> {
  const targets: string[] = [];
  const masker = new DataMasking();
  const small = apiPayload(20);
  const bytes = JSON.stringify(small).length;

  // --- 4 paths: 2 static, 2 with [*] ------------------------------------------------------------
  const ours4 = ['user.email', 'user.ssn', 'items[*].customer.email', 'items[*].orders[*].card'];
  const pino4 = ['user.email', 'user.ssn', 'items.*.customer.email', 'items.*.orders.*.card'];
  const jpp4 = ['$.user.email', '$.user.ssn', '$.items[*].customer.email', '$.items[*].orders[*].card'];
  const eraseFour = masker.compileErase({ fields: ours4 });
  const pino = redact({ paths: pino4, censor: MASK, serialize: false });
  check(eraseFour(small), pino(small));
  const four = await measure(`erase · 4 paths (2 static, 2 [*]) · ${(bytes / 1024).toFixed(1)} KB`, [
    { name: 'middy-data-masking (compiled)', fn: () => eraseFour(small) },
    {
      // What a handler writes: a fresh options literal (and array) on every call.
      name: 'middy-data-masking erase(data, { fields: [...] })',
      fn: () =>
        masker.erase(small, {
          fields: ['user.email', 'user.ssn', 'items[*].customer.email', 'items[*].orders[*].card'],
        }),
    },
    { name: '@pinojs/redact (serialize: false)', fn: () => pino(small) },
    { name: 'structuredClone + jsonpath-plus', fn: () => cloneAndMask(small, jpp4) },
  ]);
  // Issue 10's targets are on the call a handler makes (inline options), not on the compiled function.
  targets.push(target('ours (inline options) / @pinojs/redact, 4 paths', four[1].us / four[2].us, 0.5));
  targets.push(target('inline options / compileErase, 4 paths', four[1].us / four[0].us, 1.15));

  // --- $..card ------------------------------------------------------------------------------------
  const eraseCard = masker.compileErase({ fields: ['$..card'] });
  const p3card = jsonpath.compile('$..card');
  check(eraseCard(small), eraseKey(small, 'card'));
  const desc = await measure(`erase · $..card · ${(bytes / 1024).toFixed(1)} KB`, [
    { name: 'middy-data-masking $..card', fn: () => eraseCard(small) },
    {
      name: "middy-data-masking erase(data, { fields: ['$..card'] })",
      fn: () => masker.erase(small, { fields: ['$..card'] }),
    },
    { name: 'hand-written copy-on-write walker', fn: () => eraseKey(small, 'card') },
    {
      name: 'jsonpath-plus path search only',
      fn: () => JSONPath({ path: '$..card', json: small, resultType: 'path' }),
    },
    { name: 'json-p3 path search only', fn: () => p3card.query(small as unknown as JSONValue).nodes.length },
  ]);
  targets.push(target('ours (inline options) / hand-written walker, $..card', desc[1].us / desc[2].us, 1.5));

  // --- a filter: the general evaluator -----------------------------------------------------------
  const filter = '$.items[?(@.price > 30)].orders[*].card';
  const eraseFilter = masker.compileErase({ fields: [filter] });
  check(eraseFilter(small), cloneAndMask(small, [filter]));
  await measure(`erase · filter ${filter} (general evaluator) · ${(bytes / 1024).toFixed(1)} KB`, [
    { name: 'middy-data-masking', fn: () => eraseFilter(small) },
    { name: 'structuredClone + jsonpath-plus', fn: () => cloneAndMask(small, [filter]) },
  ]);

  // --- growth -------------------------------------------------------------------------------------
  const big = apiPayload(2000);
  const mb = (JSON.stringify(big).length / 1024 / 1024).toFixed(2);
  const eraseStatic = masker.compileErase({ fields: ['user.email', 'user.ssn'] });
  const records = batch(100);
  const eraseBatch = masker.compileErase({ fields: ['Records[*].body.card', 'Records[*].body.email'] });
  const pinoBatch = redact({
    paths: ['Records.*.body.card', 'Records.*.body.email'],
    censor: MASK,
    serialize: false,
  });
  await measure(`erase · growth (${(bytes / 1024).toFixed(1)} KB → ${mb} MB = 100× the nodes)`, [
    { name: `4 paths, ${(bytes / 1024).toFixed(1)} KB`, fn: () => eraseFour(small) },
    { name: `4 paths, ${mb} MB`, fn: () => eraseFour(big) },
    { name: `@pinojs/redact 4 paths, ${mb} MB`, fn: () => pino(big) },
    { name: `2 static paths, ${(bytes / 1024).toFixed(1)} KB`, fn: () => eraseStatic(small) },
    { name: `2 static paths, ${mb} MB`, fn: () => eraseStatic(big) },
    { name: `$..card, ${mb} MB`, fn: () => eraseCard(big) },
    { name: 'batch of 100 records, 2 [*] paths', fn: () => eraseBatch(records) },
    { name: '@pinojs/redact batch of 100, 2 paths', fn: () => pinoBatch(records) },
  ]);
  return targets;
}

/** Fails loudly if two implementations disagree, so the benchmark compares equal work. */
function check(a: unknown, b: unknown): void {
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('benchmark cases disagree on the result');
}
