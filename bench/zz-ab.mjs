import redact from '@pinojs/redact';
const { apiPayload } = await import('/work/main/bench/payload.ts');
const libs = process.argv.slice(2);
const small = process.env.PARSED ? JSON.parse(JSON.stringify(apiPayload(20))) : apiPayload(20);
const pino = redact({ paths: ['user.email', 'user.ssn', 'items.*.customer.email', 'items.*.orders.*.card'], censor: '*****', serialize: false });
function eraseKey(value, key) {
  if (Array.isArray(value)) { let out; for (let i = 0; i < value.length; i++) { const v = value[i]; if (v !== null && typeof v === 'object') { const mm = eraseKey(v, key); if (mm !== v) { out ??= value.slice(); out[i] = mm; } } } return out ?? value; }
  if (value !== null && typeof value === 'object') { let out; for (const k of Object.keys(value)) { const v = value[k]; if (k === key) { out ??= { ...value }; out[k] = '*****'; } else if (v !== null && typeof v === 'object') { const mm = eraseKey(v, key); if (mm !== v) { out ??= { ...value }; out[k] = mm; } } } return out ?? value; }
  return value;
}
const cases = [['pino', () => pino(small)], ['hand', () => eraseKey(small, 'card')]];
for (const lib of libs) {
  const { DataMasking } = await import(`${lib}/lib/esm/index.js`);
  const m = new DataMasking();
  const four = m.compileErase({ fields: ['user.email', 'user.ssn', 'items[*].customer.email', 'items[*].orders[*].card'] });
  const card = m.compileErase({ fields: ['$..card'] });
  cases.push([`four ${lib}`, () => four(small)], [`card ${lib}`, () => card(small)]);
}
let sink;
function t(fn, ms = 150) { const end = performance.now() + ms; let n = 0; const s = performance.now(); while (performance.now() < end) { for (let i = 0; i < 50; i++) sink = fn(); n += 50; } return (performance.now() - s) * 1000 / n; }
for (const [, f] of cases) for (let i = 0; i < 3000; i++) sink = f();
const res = {};
for (let r = 0; r < 15; r++) for (const [k, f] of cases) (res[k] ??= []).push(t(f));
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const pinoM = med(res.pino), handM = med(res.hand);
console.log(`pino ${pinoM.toFixed(2)} hand ${handM.toFixed(2)}`);
for (const lib of libs) console.log(`${lib}: four ${med(res[`four ${lib}`]).toFixed(2)} card ${med(res[`card ${lib}`]).toFixed(2)} four/pino ${(med(res[`four ${lib}`]) / pinoM).toFixed(2)}  card/hand ${(med(res[`card ${lib}`]) / handM).toFixed(2)}`);
