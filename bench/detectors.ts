/**
 * bench/detectors: detection quality (precision, recall) and speed (MB/s, growth) of each built-in detector
 * on a labelled corpus generated from a fixed seed.
 *
 * The corpus is generated on every run from a fixed seed (mulberry32, seed 20261201), so every run on every
 * machine scores the same 11,000 samples (about 2 MB); no value or text is copied from real data or other
 * projects. For each of the 16 detectors it plants 400 positives, each holding exactly one value of that type
 * at a known span, built by the type's own rules: Luhn-valid card numbers of eight brands and their lengths
 * (13 to 19 digits), compact or grouped by spaces, dashes or dots; IBANs of 44 countries at their registered
 * lengths with correct mod-97 check digits, compact or in groups of four; SSNs in issued ranges; NANP numbers
 * in eleven written forms and E.164 numbers of 13 countries; IPv4 (private and public) and IPv6 (full,
 * without leading zeros, RFC 5952-compressed, IPv4-mapped, link-local with a zone id kept outside the value);
 * PEM (PKCS #1, PKCS #8, SEC 1, encrypted, DSA), OpenSSH and OpenPGP private key blocks whose base64 bodies
 * encode DER-, openssh-key-v1- or packet-shaped bytes, with LF or CRLF lines, raw, JSON-escaped, as one-line
 * env values with literal `\n`, or indented in YAML; JWTs and JWEs whose header and payload are base64url
 * JSON; Basic credentials that are the base64 of `user:password`; Stripe live secret and restricted keys;
 * GitHub `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and `github_pat_` tokens; Slack bot, user and app-level
 * tokens; Google `AIza` API keys; AWS access key ids (never the documentation examples) and secret keys after
 * their names; bearer tokens of several shapes; e-mail addresses, a fifth of them URL-encoded
 * (`jane%40example.com`). Each value is embedded the way people write it: in sentences, as string values in
 * JSON documents (never as JSON numbers, which detectors do not see), in URLs and query strings, log lines,
 * HTTP headers, curl commands and config files. Each detector also has 250 hard negatives of its own type's
 * look-alikes (Luhn-invalid card-shaped numbers, USPS tracking numbers, IBANs with wrong check digits or a
 * wrong length for their country, BICs and ISINs, unissued SSN ranges, the AWS documentation example key ids and secrets,
 * IAM principal ids, `pk_live_` keys, `logo@2x.png`, `WWW-Authenticate: Bearer realm=…`, `Basic plan`,
 * `Chrome/120.0.0.0`, OIDs, MAC addresses, times, certificates and public keys, placeholders such as `Bearer
 * <token>`), plus 200 shared look-alikes (UUIDs, ISO timestamps, dates, times, order and tracking numbers,
 * SHA-1 and SHA-256 hashes, base64 blobs, versions, prices, OIDs, MAC addresses) and a shared pool of 400
 * realistic texts without any sensitive value (sentences, JSON documents, API Gateway events, log lines,
 * URLs, request headers), which are negatives for every detector. A positive is a true positive when every
 * character of the value from its first letter or digit to its last is masked, a false negative otherwise,
 * and it adds a false positive when anything is masked beyond the value, the blanks around it and one `.`,
 * `,` or `;` after it; a negative with anything masked is a false positive. Speed is the median MB/s of each
 * detector over the whole corpus, and growth the time on a 1 MB log (a secret on one line in ten) over the
 * time on one of its ten 100 KB parts.
 */
import { Buffer } from 'node:buffer';
import { type Detector, detectors } from 'middy-data-masking';
import {
  buildCorpus,
  type Corpus,
  DETECTOR_NAMES,
  type DetectorKey,
  type Negative,
  type Positive,
  realisticLog,
} from './detector-corpus.ts';
import { results, target } from './harness.ts';

const SEED = 20261201;
/** What the detectors write in place of a value: absent from every sample (checked), so masks can be found. */
const MASK = '\u27e6MASK\u27e7';
const WANTED = 0.99;
/**
 * Whether the stripeKey detector leaves test-mode keys (`sk_test_`, `rk_test_`) alone by design, in which
 * case they are its hard negatives; otherwise they are left out of the corpus. src/detectors/stripe-key.ts
 * masks them on purpose (a test-mode key still authenticates to the account's API), so they are left out.
 */
const STRIPE_TEST_KEYS_ARE_NEGATIVES = false;

const available = detectors as Readonly<Record<string, Detector | undefined>>;

// ---------------------------------------------------------------------------------------------------------
// Which characters of the input did a detector mask?

/**
 * The `[start, end)` spans of `text` that `out` replaced by MASK, or undefined when `out` is not `text`
 * with some spans replaced by MASK. `out` split on MASK gives the kept pieces in order: the first is a
 * prefix of `text`, the last a suffix, and the middle ones are placed left to right at the first position
 * that lets the rest fit (a small search; placements only differ when a kept piece repeats nearby).
 */
function maskedSpans(text: string, out: string): [number, number][] | undefined {
  const parts = out.split(MASK);
  const last = parts.length - 1;
  if (last === 0 || !text.startsWith(parts[0]) || !text.endsWith(parts[last])) return undefined;
  const tailStart = text.length - parts[last].length;
  const spans: [number, number][] = [];
  let budget = 100_000;
  const place = (i: number, start: number): boolean => {
    if (i === last) {
      if (tailStart <= start) return false;
      spans.push([start, tailStart]);
      return true;
    }
    const piece = parts[i];
    for (let at = text.indexOf(piece, start + 1); at !== -1; at = text.indexOf(piece, at + 1)) {
      if (at + piece.length >= tailStart || --budget < 0) return false;
      spans.push([start, at]);
      if (place(i + 1, at + piece.length)) return true;
      spans.pop();
    }
    return false;
  };
  return place(1, parts[0].length) ? spans : undefined;
}

/** Outputs that were not their input with spans replaced by the mask (a detector bug): counted as all masked. */
let unaligned = 0;

/** One flag per UTF-16 unit of `text`: 1 where the detector masked it. */
function maskedFlags(text: string, out: string): Uint8Array {
  const flags = new Uint8Array(text.length);
  if (out === text) return flags;
  const spans = maskedSpans(text, out);
  if (spans === undefined) {
    unaligned++;
    flags.fill(1);
  } else {
    for (const [start, end] of spans) flags.fill(1, start, end);
  }
  return flags;
}

const isAlnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);
const isBlank = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isEscapedBlank = (a: string | undefined, b: string | undefined) =>
  a === '\\' && (b === 'n' || b === 'r' || b === 't');

/**
 * What a detector may mask around a planted value without it counting against precision: up to four
 * blanks on each side (raw, or written `\n`, `\r`, `\t` inside a JSON string or an env var) and one `.`,
 * `,` or `;` right after it. Anything else masked outside the value is a false positive.
 */
function tolerated(text: string, start: number, end: number): [number, number] {
  let a = start;
  for (let units = 0; units < 4; units++) {
    if (isBlank(text[a - 1])) a--;
    else if (isEscapedBlank(text[a - 2], text[a - 1])) a -= 2;
    else break;
  }
  let b = end;
  if (text[b] === '.' || text[b] === ',' || text[b] === ';') b++;
  for (let units = 0; units < 4; units++) {
    if (isBlank(text[b])) b++;
    else if (isEscapedBlank(text[b], text[b + 1])) b += 2;
    else break;
  }
  return [a, b];
}

// ---------------------------------------------------------------------------------------------------------
// Scoring

interface Failure {
  kind: string;
  text: string;
  flags: Uint8Array;
  /** The planted value, for positives. */
  span?: [number, number];
}

interface Score {
  name: DetectorKey;
  positives: number;
  negatives: number;
  tp: number;
  fp: number;
  fn: number;
  /** How many false negatives / positives each kind of sample produced, and the first example of each. */
  fnKinds: Map<string, { count: number; example: Failure }>;
  fpKinds: Map<string, { count: number; example: Failure }>;
}

function note(map: Score['fnKinds'], key: string, failure: () => Failure): void {
  const seen = map.get(key);
  if (seen === undefined) map.set(key, { count: 1, example: failure() });
  else seen.count++;
}

/**
 * A positive is a true positive when every character of the value from its first letter or digit to its
 * last is masked (a phone number's leading `+` or `(` may stay visible: it gives nothing away), a false
 * negative otherwise; masking anything outside the value and its tolerated surroundings adds a false
 * positive. A negative is a false positive when anything at all is masked, a true negative otherwise.
 */
function score(name: DetectorKey, detector: Detector, positives: Positive[], negatives: Negative[]): Score {
  const s: Score = {
    name,
    positives: positives.length,
    negatives: negatives.length,
    tp: 0,
    fp: 0,
    fn: 0,
    fnKinds: new Map(),
    fpKinds: new Map(),
  };
  for (const p of positives) {
    const flags = maskedFlags(p.text, detector.redact(p.text, MASK));
    let first = p.start;
    while (first < p.end && !isAlnum(p.text[first])) first++;
    let last = p.end;
    while (last > first && !isAlnum(p.text[last - 1])) last--;
    let covered = true;
    for (let i = first; i < last && covered; i++) covered = flags[i] === 1;
    const [a, b] = tolerated(p.text, p.start, p.end);
    let outside = false;
    for (let i = 0; i < flags.length && !outside; i++) outside = flags[i] === 1 && (i < a || i >= b);
    const failure = () => ({ kind: p.kind, text: p.text, flags, span: [p.start, p.end] as [number, number] });
    if (covered) {
      s.tp++;
    } else {
      s.fn++;
      note(s.fnKinds, p.kind, failure);
    }
    if (outside) {
      s.fp++;
      note(s.fpKinds, `(positive, masked beyond the value) ${p.kind}`, failure);
    }
  }
  for (const n of negatives) {
    const out = detector.redact(n.text, MASK);
    if (out === n.text) continue;
    s.fp++;
    note(s.fpKinds, n.kind, () => ({ kind: n.kind, text: n.text, flags: maskedFlags(n.text, out) }));
  }
  return s;
}

const precision = (s: Score) => s.tp / (s.tp + s.fp);
const recall = (s: Score) => s.tp / (s.tp + s.fn);

// ---------------------------------------------------------------------------------------------------------
// Printing failures

/** `text[from, to)` as a JSON string literal, masked characters shown as `█`, long middles elided. */
function render(text: string, flags: Uint8Array, from: number, to: number, masked: boolean): string {
  let out = '';
  for (let i = from; i < to; i++) out += masked && flags[i] === 1 ? '\u2588' : text[i];
  const quoted = JSON.stringify(out);
  return quoted.length <= 360 ? quoted : `${quoted.slice(0, 170)} … ${quoted.slice(-170)}`;
}

function printFailure(label: string, f: Failure): void {
  let from: number;
  let to: number;
  if (f.span !== undefined) {
    [from, to] = f.span;
  } else {
    from = f.flags.indexOf(1);
    to = f.flags.lastIndexOf(1) + 1;
  }
  from = Math.max(0, from - 70);
  to = Math.min(f.text.length, to + 70);
  const cut = (n: number) => (n > 0 ? '…' : '');
  console.log(`    ${label} [${f.kind}]`);
  if (f.span !== undefined)
    console.log(`      value:  ${render(f.text, f.flags, f.span[0], f.span[1], false)}`);
  console.log(
    `      input:  ${cut(from)}${render(f.text, f.flags, from, to, false)}${cut(f.text.length - to)}`,
  );
  console.log(
    `      masked: ${cut(from)}${render(f.text, f.flags, from, to, true)}${cut(f.text.length - to)}`,
  );
}

/** The kinds of failure, most frequent first. */
const byCount = (map: Score['fnKinds']) => [...map].sort((a, b) => b[1].count - a[1].count);

function summary(map: Score['fnKinds'], shown = 8): string {
  const kinds = byCount(map);
  const more = kinds.length > shown ? `; and ${kinds.length - shown} more kinds` : '';
  return `${kinds
    .slice(0, shown)
    .map(([kind, { count }]) => `${count} × ${kind}`)
    .join('; ')}${more}`;
}

// ---------------------------------------------------------------------------------------------------------
// Timing

let sink = 0;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * A timer of passes of `detector` over `texts`: it returns milliseconds per pass, repeating the pass as
 * often as the warm-up found it takes to last 25 ms, so short passes are not timer noise.
 */
function passTimer(detector: Detector, texts: string[]): () => number {
  const passes = (count: number) => {
    const started = performance.now();
    for (let i = 0; i < count; i++) for (const t of texts) sink += detector.redact(t, MASK).length;
    return performance.now() - started;
  };
  let count = 1;
  while (passes(count) < 25) count *= 2;
  return () => passes(count) / count;
}

/** Median milliseconds of one pass of `detector` over `texts`, over `reps` rounds. */
function timePasses(detector: Detector, texts: string[], reps: number): number {
  const time = passTimer(detector, texts);
  return median(Array.from({ length: reps }, time));
}

/**
 * Time on `large` over time per text of `smalls`, both measured in every round (in alternating order, so
 * a machine slowing down mid-round weighs on both), as the medians over `reps` rounds.
 */
function measureGrowth(detector: Detector, smalls: string[], large: string, reps: number) {
  const timeSmalls = passTimer(detector, smalls);
  const timeLarge = passTimer(detector, [large]);
  const small: number[] = [];
  const big: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < reps; round++) {
    let a: number;
    let b: number;
    if (round % 2 === 0) {
      a = timeSmalls();
      b = timeLarge();
    } else {
      b = timeLarge();
      a = timeSmalls();
    }
    small.push(a / smalls.length);
    big.push(b);
    ratios.push(b / (a / smalls.length));
  }
  return { smallMs: median(small), largeMs: median(big), ratio: median(ratios) };
}

// ---------------------------------------------------------------------------------------------------------

function checkCorpus(corpus: Corpus): void {
  const all = [
    ...corpus.detectors.flatMap((d) => [...d.positives, ...d.hardNegatives]),
    ...corpus.lookAlikes,
    ...corpus.shared,
  ];
  for (const s of all) {
    if (s.text.includes(MASK)) throw new Error(`bench/detectors: a sample contains the mask: ${s.text}`);
  }
}

/** Runs the benchmark on the built package's detectors, or on `table` (to try a detector before it ships). */
export async function run(
  table: Readonly<Record<string, Detector | undefined>> = available,
): Promise<string[]> {
  unaligned = 0;
  const corpus = buildCorpus({ seed: SEED, stripeTestKeysAreNegatives: STRIPE_TEST_KEYS_ARE_NEGATIVES });
  checkCorpus(corpus);
  const allTexts = [
    ...corpus.detectors.flatMap((d) => [
      ...d.positives.map((p) => p.text),
      ...d.hardNegatives.map((n) => n.text),
    ]),
    ...corpus.lookAlikes.map((n) => n.text),
    ...corpus.shared.map((n) => n.text),
  ];
  const corpusBytes = allTexts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  const reps = Number(process.env.BENCH_ROUNDS ?? 5) + 2;

  const scores: Score[] = [];
  const speed = new Map<DetectorKey, number>();
  for (const d of corpus.detectors) {
    const detector = table[d.name];
    if (detector === undefined) continue;
    scores.push(
      score(d.name, detector, d.positives, [...d.hardNegatives, ...corpus.lookAlikes, ...corpus.shared]),
    );
    speed.set(d.name, corpusBytes / 1e6 / (timePasses(detector, allTexts, reps) / 1000));
  }

  const group = `detectors · generated corpus (seed ${SEED}, ${allTexts.length.toLocaleString('en-GB')} samples, ${(corpusBytes / 1e6).toFixed(2)} MB)`;
  console.log(`\n${group}`);
  console.log(
    `  per detector: its positives; negatives = its hard negatives + ${corpus.lookAlikes.length} shared look-alikes + ${corpus.shared.length} shared realistic texts`,
  );
  console.log('\n| detector | positives | negatives | precision | recall | MB/s |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const lines: string[] = [];
  for (const name of DETECTOR_NAMES) {
    const s = scores.find((x) => x.name === name);
    if (s === undefined) {
      console.log(`| ${name} | — | — | not implemented | | |`);
      continue;
    }
    const mbs = speed.get(name) ?? Number.NaN;
    const fmt = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(4));
    console.log(
      `| ${name} | ${s.positives} | ${s.negatives} | ${fmt(precision(s))} | ${fmt(recall(s))} | ${mbs.toFixed(1)} |`,
    );
    results.push({
      group,
      name: `${name} throughput`,
      us: mbs,
      ratio: Number.NaN,
      samples: reps,
      unit: 'MB/s',
    });
  }
  if (unaligned > 0) {
    console.log(
      `\n  ${unaligned} outputs were not their input with masked spans: counted as masking everything`,
    );
  }
  console.log(`\n  counts: ${scores.map((s) => `${s.name} TP ${s.tp} FP ${s.fp} FN ${s.fn}`).join(' · ')}`);

  // Where each detector below the bar fails, so its author can fix it (synthetic values: safe to print).
  for (const s of scores) {
    const all = process.env.BENCH_DETECTOR_EXAMPLES === 'all' && s.fp + s.fn > 0;
    if (precision(s) >= WANTED && recall(s) >= WANTED && !all) continue;
    console.log(`\n  ${s.name}: precision ${precision(s).toFixed(4)}, recall ${recall(s).toFixed(4)}`);
    if (s.fn > 0) console.log(`    false negatives by kind: ${summary(s.fnKinds)}`);
    if (s.fp > 0) console.log(`    false positives by kind: ${summary(s.fpKinds)}`);
    // Up to five examples of each, one per kind of failure, the most frequent kinds first.
    for (const [, { example }] of byCount(s.fnKinds).slice(0, 5)) printFailure('FN', example);
    for (const [, { example }] of byCount(s.fpKinds).slice(0, 5)) printFailure('FP', example);
  }

  // Growth: ten realistic logs of 100 KB (a secret on one line in ten), timed one after the other, and
  // the 1 MB log they make end to end. Both stream the same megabyte through the caches, so the ratio shows
  // how the work grows with the length of one input, not how much of it fits in L2.
  const smalls = Array.from({ length: 10 }, (_, i) => realisticLog(corpus, 100_000, SEED + 7 + i));
  const large = smalls.join('\n');
  console.log(
    `\n  growth · time on one ${(large.length / 1e6).toFixed(2)} MB log / time on one of its ten 100 KB parts (linear ≈ 10×)`,
  );
  const growth: string[] = [];
  for (const name of DETECTOR_NAMES) {
    const detector = table[name];
    if (detector === undefined) continue;
    const { smallMs, largeMs, ratio } = measureGrowth(detector, smalls, large, reps);
    console.log(
      `    ${name.padEnd(20)} ${smallMs.toFixed(3).padStart(8)} ms  ${largeMs.toFixed(2).padStart(8)} ms  ${ratio.toFixed(1).padStart(5)}×`,
    );
    growth.push(`${name} ${ratio.toFixed(1)}×`);
    results.push({
      group,
      name: `${name} time 1 MB / 100 KB`,
      us: ratio,
      ratio: Number.NaN,
      samples: reps,
      unit: '×',
    });
  }

  console.log('');
  for (const name of DETECTOR_NAMES) {
    const s = scores.find((x) => x.name === name);
    if (s === undefined) {
      const line = `SKIP  detectors · ${name}: not implemented in this build`;
      console.log(`  ${line}`);
      lines.push(line);
      continue;
    }
    const p = precision(s);
    const r = recall(s);
    lines.push(
      target(
        `detectors · ${name} precision ${p.toFixed(4)} (≥ ${WANTED} wanted: printed as ${WANTED} / precision ≤ 1)`,
        WANTED / p,
        1,
      ),
    );
    lines.push(
      target(
        `detectors · ${name} recall ${r.toFixed(4)} (≥ ${WANTED} wanted: printed as ${WANTED} / recall ≤ 1)`,
        WANTED / r,
        1,
      ),
    );
  }
  lines.push(`detectors · time on 1 MB / time on 100 KB (≈ 10× is linear): ${growth.join(', ')}`);
  if (sink === -1) console.log(sink);
  return lines;
}
