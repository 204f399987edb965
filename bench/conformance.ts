/**
 * The RFC 9535 compliance suite (../shared/conformance) run against ours and the peers, so the engine
 * choice in the README rests on numbers from this machine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type JSONValue, jsonpath } from 'json-p3';
import { JSONPath } from 'jsonpath-plus';
import { selectPaths } from 'middy-data-masking';

interface Case {
  selector: string;
  document?: unknown;
  invalid_selector?: boolean;
  result_paths?: string[];
  results_paths?: string[][];
}

const SUITE = new URL('../../shared/conformance/jsonpath-cts/cts.json', import.meta.url);

/** jsonpath-plus reports JSON Pointers; walk the document to spell them as normalized paths. */
function jsonpathPlus(data: unknown, selector: string): string[] {
  const pointers = JSONPath({
    path: selector,
    json: data as object,
    resultType: 'pointer',
    wrap: true,
  }) as string[];
  return pointers.map((pointer) => {
    let node = data as Record<string, unknown>;
    let path = '$';
    for (const raw of pointer.split('/').slice(1)) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      path += Array.isArray(node) ? `[${key}]` : `['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
      node = node?.[key] as Record<string, unknown>;
    }
    return path;
  });
}

export function run(): string[] {
  if (!existsSync(SUITE)) {
    console.log('\nconformance: ../shared/conformance not found, skipped');
    return [];
  }
  const { tests } = JSON.parse(readFileSync(SUITE, 'utf8')) as { tests: Case[] };
  const engines: [string, (data: unknown, selector: string) => string[]][] = [
    ['middy-data-masking', (d, s) => selectPaths(d, s)],
    ['json-p3', (d, s) => jsonpath.query(s, d as JSONValue).nodes.map((n) => n.path)],
    ['jsonpath-plus', jsonpathPlus],
  ];
  const lines: string[] = [];
  console.log(`\nRFC 9535 compliance suite (${tests.length} cases)`);
  for (const [name, select] of engines) {
    let passed = 0;
    for (const t of tests) {
      try {
        const got = select(structuredClone(t.document), t.selector);
        if (t.invalid_selector) continue;
        const want = t.result_paths ? [t.result_paths] : (t.results_paths ?? []);
        if (want.some((w) => JSON.stringify(w) === JSON.stringify(got))) passed++;
      } catch {
        if (t.invalid_selector) passed++;
      }
    }
    const line = `${name}: ${passed}/${tests.length}`;
    console.log(`  ${line}`);
    lines.push(line);
  }
  return lines;
}
