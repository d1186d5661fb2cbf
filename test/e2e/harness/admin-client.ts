// Reads meshgate's admin REST API over real HTTP, as an operator's tooling would.
import type { TypeSyncState } from '../../../src/status/types';

/** One resource type of GET /v1/proxies/{id} (times are RFC 3339 strings). */
export interface ProxyTypeView {
  readonly typeUrl: string;
  readonly state: TypeSyncState;
  readonly pushes: number;
  readonly acks: number;
  readonly nacks: number;
  readonly sent?: { readonly version: string; readonly nonce: string };
  readonly acked?: { readonly version: string; readonly nonce: string };
  readonly lastNack?: {
    readonly rejectedVersion: string;
    readonly keptVersion: string;
    readonly errorMessage: string;
    readonly resolved: boolean;
    readonly resolvedByVersion?: string;
  };
}

/** The fields of GET /v1/proxies/{id} the end-to-end tests read. */
export interface ProxyView {
  readonly id: string;
  readonly group: string;
  readonly state: string;
  readonly types: readonly ProxyTypeView[];
}

export class AdminClient {
  constructor(private readonly port: number) {}

  /** GET /v1/proxies/{id}; undefined while the proxy is unknown (404). */
  async proxy(id: string): Promise<ProxyView | undefined> {
    const res = await fetch(`http://127.0.0.1:${this.port}/v1/proxies/${encodeURIComponent(id)}`);
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`GET /v1/proxies/${id}: HTTP ${res.status} ${await res.text()}`);
    const body: unknown = await res.json();
    if (typeof body !== 'object' || body === null || !Array.isArray((body as { types?: unknown }).types)) {
      throw new Error(`GET /v1/proxies/${id}: unexpected body ${JSON.stringify(body)}`);
    }
    return body as ProxyView;
  }

  /** POST /v1/apply with YAML documents; throws with the answer's errors on anything but 200. */
  async apply(yamlText: string): Promise<{ readonly revision?: number }> {
    const res = await fetch(`http://127.0.0.1:${this.port}/v1/apply`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: yamlText });
    const body: unknown = await res.json();
    if (!res.ok) throw new Error(`POST /v1/apply: HTTP ${res.status} ${JSON.stringify(body)}`);
    return body as { readonly revision?: number };
  }

  /** GET /metrics as text. */
  async metrics(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.port}/metrics`);
    if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
    return res.text();
  }
}

/** The proxy's status for one type URL, or undefined when nothing of that type was sent. */
export function typeStatusOf(status: ProxyView | undefined, typeUrl: string): ProxyTypeView | undefined {
  return status?.types.find((t) => t.typeUrl === typeUrl);
}

/** The value of one sample in a Prometheus exposition, e.g. ("meshgate_xds_nacks_total", {type_url}); 0 if absent. */
export function metricValue(exposition: string, name: string, labels: Readonly<Record<string, string>>): number {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort();
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(/,(?=[a-zA-Z_][a-zA-Z0-9_]*=")/).filter((s) => s !== '').sort();
    if (have.length === wanted.length && have.every((pair, i) => pair === wanted[i])) return Number(match[3]);
  }
  return 0;
}
