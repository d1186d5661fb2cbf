import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { escapeHelp, escapeLabelValue, formatSampleValue } from '../../src/metrics/exposition';
import { registerProcessMetrics } from '../../src/metrics/process-metrics';
import { MetricsRegistry } from '../../src/metrics/registry';
import { XdsMetrics } from '../../src/metrics/xds-metrics';
import { ProxyStatusRegistry } from '../../src/status/proxy-status';
import { FakeClock, Script } from './helpers';

/**
 * Checks a whole exposition against the text format's grammar: comment lines are HELP or TYPE,
 * TYPE comes before the metric's samples, sample lines are name{labels} value, label values
 * properly quoted. Returns the samples as "name{labels}" → value.
 */
function parseExposition(text: string): Map<string, number> {
  assert.ok(text.endsWith('\n'), 'ends with a line feed');
  const samples = new Map<string, number>();
  const typed = new Map<string, string>();
  const labelRe = /[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"/.source;
  const sampleRe = new RegExp(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:${labelRe})(?:,${labelRe})*\\})? (\\S+)$`);
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('# HELP ')) {
      assert.match(line, /^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      assert.ok(m, `bad TYPE line: ${line}`);
      assert.ok(!typed.has(m[1]!), `TYPE repeated for ${m[1]}`);
      typed.set(m[1]!, m[2]!);
      continue;
    }
    const m = sampleRe.exec(line);
    assert.ok(m, `bad sample line: ${JSON.stringify(line)}`);
    const base = m[1]!.replace(/_(bucket|sum|count)$/, '');
    assert.ok(typed.has(m[1]!) || typed.get(base) === 'histogram', `sample before its TYPE: ${line}`);
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    assert.ok(!Number.isNaN(value) || m[3] === 'NaN', `bad value in ${line}`);
    samples.set(`${m[1]}${m[2] ?? ''}`, value);
  }
  return samples;
}

describe('Prometheus exposition', () => {
  it('writes HELP and TYPE lines and labelled counter samples', () => {
    const registry = new MetricsRegistry();
    const c = registry.counter({ name: 'x_requests_total', help: 'Requests.', labelNames: ['code', 'method'] });
    c.inc({ code: '200', method: 'GET' });
    c.inc({ method: 'GET', code: '200' }, 2);
    c.inc({ code: '503', method: 'POST' });
    assert.equal(
      registry.render(),
      '# HELP x_requests_total Requests.\n' +
        '# TYPE x_requests_total counter\n' +
        'x_requests_total{code="200",method="GET"} 3\n' +
        'x_requests_total{code="503",method="POST"} 1\n',
    );
  });

  it('escapes label values and help text as the format requires', () => {
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    assert.equal(escapeHelp('line1\nback\\slash "quotes"'), 'line1\\nback\\\\slash "quotes"');
    const registry = new MetricsRegistry();
    registry.gauge({ name: 'g', help: 'multi\nline', labelNames: ['path'] }).set({ path: 'C:\\dir "x"\n' }, 1);
    const text = registry.render();
    assert.ok(text.includes('# HELP g multi\\nline\n'));
    assert.ok(text.includes('g{path="C:\\\\dir \\"x\\"\\n"} 1\n'));
    parseExposition(text);
  });

  it('formats special sample values', () => {
    assert.equal(formatSampleValue(Infinity), '+Inf');
    assert.equal(formatSampleValue(-Infinity), '-Inf');
    assert.equal(formatSampleValue(NaN), 'NaN');
    assert.equal(formatSampleValue(0.25), '0.25');
    assert.equal(formatSampleValue(1e21), '1e+21');
  });

  it('writes histograms as cumulative buckets with +Inf, _sum and _count', () => {
    const registry = new MetricsRegistry();
    const h = registry.histogram({ name: 'lat_seconds', help: 'Latency.', buckets: [0.1, 1, 10] });
    for (const v of [0.05, 0.1, 0.5, 3, 42]) h.observe(undefined, v);
    const samples = parseExposition(registry.render());
    assert.equal(samples.get('lat_seconds_bucket{le="0.1"}'), 2);
    assert.equal(samples.get('lat_seconds_bucket{le="1"}'), 3);
    assert.equal(samples.get('lat_seconds_bucket{le="10"}'), 4);
    assert.equal(samples.get('lat_seconds_bucket{le="+Inf"}'), 5);
    assert.equal(samples.get('lat_seconds_count'), 5);
    assert.equal(samples.get('lat_seconds_sum'), 0.05 + 0.1 + 0.5 + 3 + 42);
    assert.ok(registry.render().includes('# TYPE lat_seconds histogram\n'));
  });

  it('rejects invalid names, label sets and operations', () => {
    const registry = new MetricsRegistry();
    assert.throws(() => registry.counter({ name: '1bad', help: '' }), /invalid metric name/);
    assert.throws(() => registry.counter({ name: 'ok', help: '', labelNames: ['__reserved'] }), /invalid label name/);
    assert.throws(() => registry.histogram({ name: 'h', help: '', labelNames: ['le'] }), /reserved/);
    assert.throws(() => registry.histogram({ name: 'h2', help: '', buckets: [1, 1] }), /increase/);
    const c = registry.counter({ name: 'c_total', help: '', labelNames: ['a'] });
    assert.throws(() => c.inc({ b: 'x' }), /expected labels/);
    assert.throws(() => c.inc(undefined), /expected labels/);
    assert.throws(() => c.inc({ a: 'x' }, -1), /cannot increase/);
    assert.throws(() => registry.gauge({ name: 'c_total', help: '' }), /already registered/);
    registry.histogram({ name: 'dur', help: '' });
    assert.throws(() => registry.counter({ name: 'dur_count', help: '' }), /already registered/);
  });

  it('reads collected gauges at render time', () => {
    const registry = new MetricsRegistry();
    let value = 1;
    registry.gauge({ name: 'live', help: 'Live value.', collect: (g) => g.set(undefined, value) });
    assert.ok(registry.render().includes('live 1\n'));
    value = 7;
    assert.ok(registry.render().includes('live 7\n'));
  });

  it('exposes process memory, CPU, start time and uptime', () => {
    const registry = new MetricsRegistry();
    registerProcessMetrics(registry);
    const samples = parseExposition(registry.render());
    for (const name of ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_heap_size_total_bytes', 'process_start_time_seconds', 'process_uptime_seconds', 'process_cpu_seconds_total']) {
      const v = samples.get(name);
      assert.ok(v !== undefined && v > 0, `${name} = ${v}`);
    }
    assert.ok(registry.render().includes('# TYPE process_cpu_seconds_total counter\n'));
  });

  it('feeds the xDS metrics from stream events', () => {
    const clock = new FakeClock();
    const metrics = new MetricsRegistry();
    let status: ProxyStatusRegistry | undefined;
    const xds = new XdsMetrics(metrics, { connectedProxies: () => status!.connectedByProtocol() });
    status = new ProxyStatusRegistry({ now: clock.now, convergence: xds });
    const script = new Script([status, xds], clock);
    script.open('a', 'a', { protocol: 'sotw' });
    script.open('b', 'b', { protocol: 'delta' });
    status.changeAccepted('default', clock.t);
    const n1 = script.send('a', TypeUrl.Cluster, 'v1', ['c'], { bytes: 500 });
    const n2 = script.send('b', TypeUrl.Cluster, 'v1', ['c'], { bytes: 250 });
    const n3 = script.send('a', TypeUrl.Listener, 'v1', ['l'], { bytes: 40 });
    clock.advance(12);
    script.ack('a', TypeUrl.Cluster, 'v1', n1);
    script.ack('b', TypeUrl.Cluster, 'v1', n2);
    script.nack('a', TypeUrl.Listener, 'v1', '', n3, 'bad');
    clock.advance(1000); // the push window
    status.sweep();

    const samples = parseExposition(metrics.render());
    const cds = `type_url="${TypeUrl.Cluster}"`;
    const lds = `type_url="${TypeUrl.Listener}"`;
    assert.equal(samples.get(`meshgate_xds_pushes_total{${cds}}`), 2);
    assert.equal(samples.get(`meshgate_xds_push_bytes_total{${cds}}`), 750);
    assert.equal(samples.get(`meshgate_xds_pushes_total{${lds}}`), 1);
    assert.equal(samples.get(`meshgate_xds_acks_total{${cds}}`), 2);
    assert.equal(samples.get(`meshgate_xds_nacks_total{${lds}}`), 1);
    assert.equal(samples.get('meshgate_connected_proxies{protocol="sotw"}'), 1);
    assert.equal(samples.get('meshgate_connected_proxies{protocol="delta"}'), 1);
    assert.equal(samples.get('meshgate_convergence_nacked_total'), 1);
    assert.equal(samples.get('meshgate_convergence_seconds_count'), 0);
    assert.equal(samples.get('meshgate_convergence_seconds_bucket{le="+Inf"}'), 0);

    script.close('b');
    assert.equal(parseExposition(metrics.render()).get('meshgate_connected_proxies{protocol="delta"}'), 0);
  });
});
