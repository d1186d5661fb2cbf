// `npm run bench`: the Performance figures of issue 3, in one run. The control plane runs in its
// own process (control-plane-child.ts, the flags of `npm start`), driven over its admin API; the
// bench process holds the stand-in proxy and the documents, so memory figures are the control
// plane's own (VmRSS from /proc after a forced collection in the child).
//   1. 1,000 HTTPRoutes (policies on a tenth) POSTed to /v1/apply → a connected ADS proxy has
//      ACKed clusters, endpoints, listeners and routes with all of them; memory after GC.
//   2. One-route change, apply → ACK, at 1,000 and at 10,000 routes, with compile() alone and
//      its stages, to show where the time goes.
//   3. Churn: 50 cycles of applying and removing those 1,000 routes; memory before and after.
// Prints tables, then one line "BENCH_JSON {...}" with every figure.
import os from 'node:os';
import { SnapshotCache } from '../src/cache';
import type { InputDocument } from '../src/documents/types';
import { compile } from '../src/pipeline/compile';
import { validateSnapshot } from '../src/validate';
import { buildProxyResources } from '../src/xds';
import { translate } from '../translators';
import { routeCompileStats } from '../translators/translate';
import { AdsProxy, type ProxyState } from './ads-proxy';
import { ControlPlaneProcess, type ChildMemory } from './control-plane-process';
import { median, printTable, round, sleep, timed } from './measure';
import { baseDocuments, GATEWAY_GROUP, httpRoute, routeDocuments, routeHost } from './workload';

const ROUTES = 1000;
const BIG_ROUTES = 10_000;
const CHANGE_REPEATS = 5;
const CHURN_CYCLES = 50;
const SINGLE_DELETES = 10;


function hasRoutes(count: number, prefixOfRoute0 = '/'): (s: ProxyState) => boolean {
  return (s) => {
    if (s.hosts.get(routeHost(0)) !== prefixOfRoute0 || !s.hosts.has(routeHost(count - 1)) || s.hosts.has(routeHost(count))) return false;
    if (s.clusters.size < count || s.assignments.size !== s.edsNames.size) return false;
    for (let i = 0; i < count; i++) if (!s.hosts.has(routeHost(i))) return false;
    return true;
  };
}

/** POST documents and wait until the proxy has ACKed a state that satisfies `done`. */
async function applyAndConverge(plane: ControlPlaneProcess, proxy: AdsProxy, docs: readonly InputDocument[], done: (s: ProxyState) => boolean): Promise<{ totalMs: number; httpMs: number; decodeMs: number }> {
  const decodeBefore = proxy.decodeMs;
  const converged = proxy.until(done);
  const t0 = performance.now();
  await plane.apply(docs);
  const httpMs = performance.now() - t0;
  const ackedAt = await converged;
  return { totalMs: ackedAt - t0, httpMs, decodeMs: proxy.decodeMs - decodeBefore };
}

async function oneRouteChanges(plane: ControlPlaneProcess, proxy: AdsProxy, count: number, repeats: number, firstVariant: number): Promise<{ totalMs: number[]; httpMs: number[] }> {
  const totalMs: number[] = [];
  const httpMs: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const variant = firstVariant + k;
    const r = await applyAndConverge(plane, proxy, [httpRoute(0, variant)], hasRoutes(count, `/v${variant}`));
    totalMs.push(r.totalMs);
    httpMs.push(r.httpMs);
    await sleep(150);
  }
  return { totalMs, httpMs };
}

interface CompileProfile { totalMs: number; translateMs: number; buildMs: number; validateMs: number; cacheFirstMs: number; cacheOneChangeMs: number; oneChangeCompileMs: number; routesCompiled: number; routesReused: number }

/** compile() and its stages on `docs`, then the snapshot cache's cost for a full and a one-route change. */
function profileCompile(docs: readonly InputDocument[], repeats: number): CompileProfile {
  const total: number[] = [];
  const tr: number[] = [];
  const bu: number[] = [];
  const va: number[] = [];
  for (let i = 0; i < repeats; i++) {
    let t = performance.now();
    const out = compile(docs);
    total.push(performance.now() - t);
    if (!out.ok) throw new Error(`compile failed: ${JSON.stringify(out.errors.slice(0, 3))}`);
    t = performance.now();
    const translated = translate(docs);
    tr.push(performance.now() - t);
    const proxy = translated.ir.proxies[0]!;
    t = performance.now();
    const resources = buildProxyResources(proxy);
    bu.push(performance.now() - t);
    t = performance.now();
    validateSnapshot(resources);
    va.push(performance.now() - t);
  }
  // The cache validates again and encodes; a one-route change re-encodes only what changed.
  const cache = new SnapshotCache({ validator: validateSnapshot });
  const first = compile(docs);
  // A one-route change, as the control plane compiles it: how many routes are compiled again.
  const statsBefore = routeCompileStats();
  let t = performance.now();
  const changed = compile(docs.map((d) => (d.kind === 'HTTPRoute' && d.metadata.name === 'route-0' ? httpRoute(0, 99) : d)));
  const oneChangeCompileMs = performance.now() - t;
  const statsAfter = routeCompileStats();
  if (!first.ok || !changed.ok) throw new Error('compile failed');
  t = performance.now();
  cache.setSnapshots(first.config.groups);
  const cacheFirstMs = performance.now() - t;
  t = performance.now();
  cache.setSnapshots(changed.config.groups);
  const cacheOneChangeMs = performance.now() - t;
  cache.close();
  return {
    totalMs: median(total),
    translateMs: median(tr),
    buildMs: median(bu),
    validateMs: median(va),
    cacheFirstMs,
    cacheOneChangeMs,
    oneChangeCompileMs,
    routesCompiled: statsAfter.compiled - statsBefore.compiled,
    routesReused: statsAfter.reused - statsBefore.reused,
  };
}

/** Progress on stderr, so stdout stays the report. */
function step(what: string): void {
  process.stderr.write(`[bench ${round(performance.now() / 1000)} s] ${what}\n`);
}

const ms = (n: number): string => `${round(n, 0)} ms`;
const mib = (m: ChildMemory): string => `rss ${m.vmRssMiB ?? m.rssMiB} MiB, heap ${m.heapUsedMiB}/${m.heapTotalMiB} MiB, external ${m.externalMiB} MiB`;
const rssOf = (m: ChildMemory): number => m.vmRssMiB ?? m.rssMiB;

async function main(): Promise<void> {
  const benchStarted = performance.now();
  const plane = await ControlPlaneProcess.start();
  // Before any configuration and before any proxy: what the process costs by itself.
  const memIdle = await plane.memory();
  const proxy = new AdsProxy(`127.0.0.1:${plane.xdsPort}`, { id: 'bench-proxy', cluster: 'edge', metadata: { meshgate_group: GATEWAY_GROUP } });
  const result: Record<string, unknown> = { node: process.version, cpus: os.cpus().length, routes: ROUTES };
  try {
    // The Gateway alone: the proxy is connected and serving it before the routes arrive.
    const base = baseDocuments();
    const baseListener = proxy.until((s) => s.listeners.size > 0);
    const { revision: baseRevision } = await plane.apply(base);
    await baseListener;
    const memBase = await plane.memory();

    // 1. 1,000 routes, apply → ACK.
    const docs = routeDocuments(ROUTES);
    const full = await applyAndConverge(plane, proxy, docs, hasRoutes(ROUTES));
    await sleep(300);
    const mem1k = await plane.memory();
    printTable(`1. ${ROUTES} HTTPRoutes (${docs.length} documents) POST /v1/apply → proxy ACKed CDS/EDS/LDS/RDS`, [
      ['apply → ACK', ms(full.totalMs), 'target ≤ 2000 ms'],
      ['  of which HTTP apply', ms(full.httpMs), 'parse + store + compile + cache (debounce 100 ms and push follow)'],
      ['  of which client decode', ms(full.decodeMs), 'the in-process stand-in proxy decoding responses'],
      ['control plane idle', mib(memIdle), `its own process (pid ${plane.pid}), after GC, before any configuration`],
      ['control plane, Gateway only', mib(memBase), 'one proxy connected'],
      [`control plane at ${ROUTES} routes`, mib(mem1k), 'target rss ≤ 100 MiB (after GC)'],
    ]);
    result['full1k'] = { applyToAckMs: round(full.totalMs), httpApplyMs: round(full.httpMs), clientDecodeMs: round(full.decodeMs), memIdle, memBase, mem1k };

    step('one-route changes at 1k');
    // 2a. One-route change at 1,000.
    const change1k = await oneRouteChanges(plane, proxy, ROUTES, CHANGE_REPEATS, 1);
    step('compile profile at 1k');
    const compile1k = profileCompile([...base, ...docs], 5);

    step('single deletes');
    // 3. Churn. Deleting one document is one revision and one full compile; measure a few.
    const deletes: number[] = [];
    // Tenants without a policy, route before backend (a route to a missing Backend is refused).
    for (let i = ROUTES - 1; deletes.length < SINGLE_DELETES; i--) {
      for (const [kind, name] of [['HTTPRoute', `route-${i}`], ['Backend', `svc-${i}`]] as const) {
        deletes.push((await timed(() => plane.delete({ kind, namespace: 'default', name }))).ms);
      }
    }
    step('rollback to the Gateway-only revision');
    // Removing every route at once: roll back to the revision with the Gateway alone (one revision).
    await plane.rollback(baseRevision);
    await proxy.until((s) => !s.hosts.has(routeHost(0)) && !s.clusters.has('backend/default/svc-0'));
    await sleep(300);
    const memChurnStart = await plane.memory();
    step('churn cycles');
    const applyMs: number[] = [];
    const removeMs: number[] = [];
    for (let c = 0; c < CHURN_CYCLES; c++) {
      applyMs.push((await timed(() => plane.apply(docs))).ms);
      removeMs.push((await timed(() => plane.rollback(baseRevision))).ms);
      if ((c + 1) % 10 === 0) step(`churn cycle ${c + 1}`);
    }
    await proxy.until((s) => !s.hosts.has(routeHost(0)) && !s.clusters.has('backend/default/svc-0'));
    await sleep(300);
    const memChurnEnd = await plane.memory();
    const churnGrowth = (rssOf(memChurnEnd) - rssOf(memChurnStart)) / rssOf(memChurnStart);
    const heapGrowth = (memChurnEnd.heapUsedMiB - memChurnStart.heapUsedMiB) / memChurnStart.heapUsedMiB;

    step('10k full apply');
    // 2b. 10,000 routes: full apply, then one-route changes.
    const bigDocs = routeDocuments(BIG_ROUTES);
    const full10k = await applyAndConverge(plane, proxy, bigDocs, hasRoutes(BIG_ROUTES));
    await sleep(300);
    const mem10k = await plane.memory();
    step('one-route changes at 10k');
    const change10k = await oneRouteChanges(plane, proxy, BIG_ROUTES, 3, 101);
    step('compile profile at 10k');
    const compile10k = profileCompile([...base, ...bigDocs], 2);

    const c1 = median(change1k.totalMs);
    const c10 = median(change10k.totalMs);
    printTable('2. One-route change (HTTPRoute route-0 path prefix), POST /v1/apply → proxy ACKed', [
      [`at ${ROUTES} routes`, ms(c1), `median of ${CHANGE_REPEATS}: ${change1k.totalMs.map((n) => round(n, 0)).join(', ')}; HTTP part ${ms(median(change1k.httpMs))}`],
      [`at ${BIG_ROUTES} routes`, ms(c10), `median of 3: ${change10k.totalMs.map((n) => round(n, 0)).join(', ')}; HTTP part ${ms(median(change10k.httpMs))}`],
      ['ratio 10k / 1k', `${round(c10 / c1, 2)}x`],
      [`full apply ${BIG_ROUTES} → ACK`, ms(full10k.totalMs), `HTTP part ${ms(full10k.httpMs)}, client decode ${ms(full10k.decodeMs)}; ratio to 1k ${round(full10k.totalMs / full.totalMs, 2)}x`],
      [`memory at ${BIG_ROUTES} routes`, mib(mem10k)],
    ]);
    const stageRows = (label: string, p: CompileProfile): [string, string, string?][] => [
      [`compile() at ${label}`, ms(p.totalMs), `same documents again: translate ${ms(p.translateMs)}, IR→Envoy ${ms(p.buildMs)}, validate ${ms(p.validateMs)}`],
      [`  one-route change at ${label}`, ms(p.oneChangeCompileMs), `compile(); routes compiled ${p.routesCompiled}, reused ${p.routesReused}`],
      [`  cache setSnapshots at ${label}`, ms(p.cacheFirstMs), `first (validate + encode all); one-route change: ${ms(p.cacheOneChangeMs)}`],
    ];
    printTable('Where a change spends its time (pure functions, warm, median)', [
      ...stageRows(`${ROUTES}`, compile1k),
      ...stageRows(`${BIG_ROUTES}`, compile10k),
      ['compile ratio 10k / 1k', `${round(compile10k.totalMs / compile1k.totalMs, 2)}x`, `one-route change: ${round(compile10k.oneChangeCompileMs / compile1k.oneChangeCompileMs, 2)}x`],
    ]);
    printTable(`3. Churn: ${CHURN_CYCLES} cycles of applying ${ROUTES} routes and removing them`, [
      ['memory at churn start', mib(memChurnStart)],
      [`memory after ${CHURN_CYCLES} cycles`, mib(memChurnEnd)],
      ['rss growth', `${round(churnGrowth * 100)} %`, 'target within 10 %'],
      ['heap growth', `${round(heapGrowth * 100)} %`],
      ['apply 1,000 (POST /v1/apply)', ms(median(applyMs)), `median; first ${ms(applyMs[0]!)}, last ${ms(applyMs[applyMs.length - 1]!)}`],
      ['remove 1,000 (POST rollback)', ms(median(removeMs)), 'all routes removed in one revision: rollback to the Gateway-only revision'],
      ['delete one document at ~1,000', ms(median(deletes)), `median of ${SINGLE_DELETES}; one revision + full compile each, so 1,000 one-by-one ≈ ${round((median(deletes) * ROUTES * 2.1) / 1000, 0)} s per cycle`],
    ]);
    result['change'] = {
      at1kMs: change1k.totalMs.map((n) => round(n)),
      at1kMedianMs: round(c1),
      at1kHttpMedianMs: round(median(change1k.httpMs)),
      at10kMs: change10k.totalMs.map((n) => round(n)),
      at10kMedianMs: round(c10),
      at10kHttpMedianMs: round(median(change10k.httpMs)),
      ratio10kTo1k: round(c10 / c1, 2),
    };
    result['full10k'] = { applyToAckMs: round(full10k.totalMs), httpApplyMs: round(full10k.httpMs), clientDecodeMs: round(full10k.decodeMs), mem10k };
    const roundProfile = (p: CompileProfile): Record<string, number> => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, round(v)]));
    result['compile'] = { at1k: roundProfile(compile1k), at10k: roundProfile(compile10k), ratio10kTo1k: round(compile10k.totalMs / compile1k.totalMs, 2) };
    result['churn'] = {
      cycles: CHURN_CYCLES,
      memStart: memChurnStart,
      memEnd: memChurnEnd,
      rssGrowthPct: round(churnGrowth * 100),
      heapGrowthPct: round(heapGrowth * 100),
      applyMedianMs: round(median(applyMs)),
      removeMedianMs: round(median(removeMs)),
      singleDeleteMedianMs: round(median(deletes)),
    };
    result['benchSeconds'] = round((performance.now() - benchStarted) / 1000);
    console.log(`\nbench took ${result['benchSeconds']} s`);
    console.log(`BENCH_JSON ${JSON.stringify(result)}`);
  } finally {
    proxy.close();
    await plane.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
