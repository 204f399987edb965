/**
 * An eraser's form over JSON text: the text walk of `json-text-plan.ts` on the eraser's own trie, built
 * once per eraser on first use. Batch records use it; what no path touches is never parsed.
 *
 * @module
 */
import { type Eraser, textPlanSourceOf } from './eraser.js';
import { buildTextPlan } from './json-text-plan.js';

type TextEraser = (text: string) => string | undefined;

/** `null`: the eraser's configuration has no text form (asked once, remembered). */
const built = new WeakMap<Eraser, TextEraser | null>();

/**
 * The eraser's form over JSON text, when its configuration allows one: it takes a JSON document as text
 * and gives the masked text, or `undefined` when that text must be parsed and erased as data instead
 * (the result is then the same, up to spacing and spelling).
 *
 * @internal
 */
export function textEraserOf(eraser: Eraser): TextEraser | undefined {
  let text = built.get(eraser);
  if (text === undefined) {
    text = build(eraser);
    built.set(eraser, text);
  }
  return text ?? undefined;
}

function build(eraser: Eraser): TextEraser | null {
  const source = textPlanSourceOf(eraser);
  if (source === undefined) return null;
  const plan = buildTextPlan(source.tree, source.rules);
  if (plan === undefined) return null;
  const { reports, rules } = source;
  return (text) => {
    const hits = new Array<number>(rules.length).fill(0);
    const out = plan(text, hits);
    // An expression that selected nothing is judged (thrown, told) on the parsed data by the parse path.
    if (out === undefined || (reports && hits.includes(0))) return undefined;
    return out;
  };
}
