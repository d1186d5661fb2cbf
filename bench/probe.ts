import { compile } from '../src/pipeline/compile';
import { baseDocuments, routeDocuments } from './workload';
for (const n of [1000, 1000, 1000, 10000]) {
  const docs = [...baseDocuments(), ...routeDocuments(n)];
  const t = performance.now();
  const out = compile(docs);
  const ms = performance.now() - t;
  if (!out.ok) { console.log(JSON.stringify(out.errors.slice(0, 3))); process.exit(1); }
  const g = out.config.groups.get('gateway/default/edge')!;
  const counts: Record<string, number> = {};
  for (const r of g) counts[r.typeUrl.split('.').pop()!] = (counts[r.typeUrl.split('.').pop()!] ?? 0) + 1;
  console.log(n, ms.toFixed(0), 'ms', JSON.stringify(counts), [...out.config.groups.keys()]);
}
