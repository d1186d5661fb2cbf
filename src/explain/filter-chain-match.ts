// Step 2: filter chain selection. Envoy narrows the listener's chains criterion by criterion, in a
// fixed order (destination port, destination IP, server name, transport protocol, application
// protocols, direct source IP, source type, source IP, source port). At each criterion only the
// chains that match the connection most specifically survive; a chain without that criterion
// matches anything but loses to one that names the value. There is no backtracking: if the most
// specific chains fail a later criterion, the default_filter_chain (if any) is used.
import type { JsonObject } from '../envoy/resource';
import { cidrContains, cidrFromJson, isLoopback, isWildcardAddress, parseIp } from './cidr';
import { arr, enumName, num, obj, objs, str, strs } from './json';
import { stripPort } from './request-view';
import type { Trace } from './trace';
import type { ExplainRequest } from './types';

/** What Envoy knows about a connection when it picks a filter chain. */
export interface ConnectionInfo {
  readonly destinationPort: number;
  readonly destinationIp?: readonly number[];
  /** SNI, lower-case; "" when none was sent or no tls_inspector read it. */
  readonly serverName: string;
  readonly transportProtocol: string;
  readonly applicationProtocols: readonly string[];
  readonly sourceIp?: readonly number[];
  readonly sourcePort?: number;
}

export interface FilterChainMatch {
  readonly chain: JsonObject;
  readonly index: number | 'default';
  readonly name?: string;
}

const TLS_INSPECTOR = 'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector';
const HTTP_INSPECTOR = 'envoy.extensions.filters.listener.http_inspector.v3.HttpInspector';

function hasListenerFilter(listener: JsonObject, typeName: string, filterName: string): boolean {
  return objs(listener, 'listener_filters').some((f) => {
    const t = str(obj(f, 'typed_config'), '@type') ?? '';
    return t.endsWith(typeName) || str(f, 'name') === filterName;
  });
}

function isIpLiteral(host: string): boolean {
  return parseIp(host) !== undefined;
}

/** The connection as the listener filters (tls_inspector, http_inspector) would describe it. */
export function describeConnection(listener: JsonObject, listenerAddress: string, request: ExplainRequest, trace: Trace): ConnectionInfo {
  const tlsInspector = hasListenerFilter(listener, TLS_INSPECTOR, 'envoy.filters.listener.tls_inspector');
  const httpInspector = hasListenerFilter(listener, HTTP_INSPECTOR, 'envoy.filters.listener.http_inspector');
  const tls = request.tls === true;
  let serverName = '';
  let transportProtocol = 'raw_buffer';
  let applicationProtocols: readonly string[] = [];
  if (tls && tlsInspector) {
    transportProtocol = 'tls';
    const host = stripPort(request.host);
    if (request.sni !== undefined) serverName = request.sni.toLowerCase();
    else if (!isIpLiteral(host.replace(/^\[|\]$/g, ''))) {
      serverName = host.toLowerCase();
      trace.assume(`the client sends SNI "${serverName}" (the host); give sni to change it`);
    }
    applicationProtocols = request.alpn ?? [];
  } else if (tls) {
    const chainsUseTls = objs(listener, 'filter_chains').some((c) => {
      const m = obj(c, 'filter_chain_match');
      return strs(m, 'server_names').length > 0 || str(m, 'transport_protocol') === 'tls';
    });
    if (chainsUseTls) trace.step('connection: the listener has no tls_inspector listener filter, so Envoy sees neither SNI nor "tls" as the transport protocol');
  } else if (httpInspector) {
    applicationProtocols = request.alpn ?? ['http/1.1'];
  }
  const destination = request.destinationIp ?? (isWildcardAddress(listenerAddress) ? undefined : listenerAddress);
  const destinationIp = destination !== undefined ? parseIp(destination) : undefined;
  const sourceIp = request.sourceIp !== undefined ? parseIp(request.sourceIp) : undefined;
  return {
    destinationPort: request.port,
    ...(destinationIp ? { destinationIp } : {}),
    serverName,
    transportProtocol,
    applicationProtocols,
    ...(sourceIp ? { sourceIp } : {}),
    ...(request.sourcePort !== undefined ? { sourcePort: request.sourcePort } : {}),
  };
}

/** How specifically a chain matches on one criterion: -1 no match, 0 not constrained, higher = more specific. */
type Criterion = { readonly label: string; readonly score: (m: JsonObject | undefined, c: ConnectionInfo) => number };

function prefixScore(ranges: JsonObject[], address: readonly number[] | undefined): number {
  if (ranges.length === 0) return 0;
  if (!address) return -1;
  let best = -1;
  for (const r of ranges) {
    const cidr = cidrFromJson(r);
    if (cidr && cidrContains(cidr, address)) best = Math.max(best, cidr.prefixLen + 1);
  }
  return best;
}

function serverNameScore(names: string[], sni: string): number {
  if (names.length === 0) return 0;
  if (sni === '') return -1;
  let best = -1;
  for (const raw of names) {
    const n = raw.toLowerCase();
    if (n === sni) best = Math.max(best, 10_000);
    else if (n.startsWith('*.') && sni.endsWith(n.slice(1)) && sni.length > n.length - 1) best = Math.max(best, n.length);
  }
  return best;
}

const CRITERIA: readonly Criterion[] = [
  {
    label: 'destination port',
    score: (m, c) => {
      const p = num(m, 'destination_port');
      return p === undefined ? 0 : p === c.destinationPort ? 1 : -1;
    },
  },
  { label: 'destination IP', score: (m, c) => prefixScore(objs(m, 'prefix_ranges'), c.destinationIp) },
  { label: 'server name', score: (m, c) => serverNameScore(strs(m, 'server_names'), c.serverName) },
  {
    label: 'transport protocol',
    score: (m, c) => {
      const t = str(m, 'transport_protocol');
      return t === undefined || t === '' ? 0 : t === c.transportProtocol ? 1 : -1;
    },
  },
  {
    label: 'application protocols',
    score: (m, c) => {
      const wanted = strs(m, 'application_protocols');
      if (wanted.length === 0) return 0;
      // Envoy tries the client's protocols in the client's order: an earlier one wins.
      const i = c.applicationProtocols.findIndex((p) => wanted.includes(p));
      return i < 0 ? -1 : c.applicationProtocols.length - i;
    },
  },
  { label: 'direct source IP', score: (m, c) => prefixScore(objs(m, 'direct_source_prefix_ranges'), c.sourceIp) },
  {
    label: 'source type',
    score: (m, c) => {
      const t = enumName(m, 'source_type', ['ANY', 'SAME_IP_OR_LOOPBACK', 'EXTERNAL']) ?? 'ANY';
      if (t === 'ANY') return 0;
      if (!c.sourceIp) return -1;
      const local = isLoopback(c.sourceIp) || (c.destinationIp !== undefined && c.destinationIp.length === c.sourceIp.length && c.destinationIp.every((b, i) => b === c.sourceIp![i]));
      return (t === 'SAME_IP_OR_LOOPBACK') === local ? 1 : -1;
    },
  },
  { label: 'source IP', score: (m, c) => prefixScore(objs(m, 'source_prefix_ranges'), c.sourceIp) },
  {
    label: 'source port',
    score: (m, c) => {
      const ports = arr(m, 'source_ports').map((p) => Number(p));
      if (ports.length === 0) return 0;
      return c.sourcePort !== undefined && ports.includes(c.sourcePort) ? 1 : -1;
    },
  },
];

function chainLabel(chain: JsonObject, index: number): string {
  const name = str(chain, 'name');
  return name ? `#${index} "${name}"` : `#${index}`;
}

export function matchFilterChain(listener: JsonObject, conn: ConnectionInfo, trace: Trace): FilterChainMatch | undefined {
  const chains = objs(listener, 'filter_chains');
  let candidates = chains.map((chain, index) => ({ chain, index }));
  const sniText = conn.serverName === '' ? 'no SNI' : `SNI "${conn.serverName}"`;
  trace.step(`filter chains: ${chains.length} on the listener; connection has ${sniText}, transport "${conn.transportProtocol}"${conn.applicationProtocols.length > 0 ? `, ALPN [${conn.applicationProtocols.join(', ')}]` : ''}`);
  for (const criterion of CRITERIA) {
    if (candidates.length === 0) break;
    const scored = candidates.map((c) => ({ ...c, s: criterion.score(obj(c.chain, 'filter_chain_match'), conn) }));
    const best = Math.max(...scored.map((c) => c.s));
    const survivors = best < 0 ? [] : scored.filter((c) => c.s === best);
    if (survivors.length !== candidates.length) {
      trace.step(`filter chains: by ${criterion.label}, ${survivors.length === 0 ? 'none match' : `${survivors.map((c) => chainLabel(c.chain, c.index)).join(', ')} remain`}`);
    }
    candidates = survivors;
    if (criterion.label === 'destination IP' && conn.destinationIp === undefined && scored.some((c) => objs(obj(c.chain, 'filter_chain_match'), 'prefix_ranges').length > 0)) {
      trace.assume('the destination IP is unknown (wildcard listener): chains with prefix_ranges were treated as not matching; give destinationIp');
    }
  }
  if (candidates.length > 0) {
    const { chain, index } = candidates[0]!;
    if (candidates.length > 1) trace.assume(`several filter chains match identically; Envoy would reject such a listener; explain used ${chainLabel(chain, index)}`);
    trace.step(`filter chain: ${chainLabel(chain, index)} selected`);
    const name = str(chain, 'name');
    return { chain, index, ...(name ? { name } : {}) };
  }
  const fallback = obj(listener, 'default_filter_chain');
  if (fallback) {
    trace.step('filter chain: no chain matches; the default_filter_chain is used');
    const name = str(fallback, 'name');
    return { chain: fallback, index: 'default', ...(name ? { name } : {}) };
  }
  trace.step('filter chain: no chain matches and there is no default_filter_chain: Envoy closes the connection');
  return undefined;
}
