// Checks on an HttpConnectionManager's http_filters that Envoy applies when it builds the filter
// chain: the router is the terminal filter, so it must be there exactly once and come last, and
// filter names are used as keys (typed_per_filter_config, stats) so they must be unique.
import { messageNameOf } from '../../envoy/type-urls';
import { fieldPath, indexPath, type RawIssue } from '../issue';
import { isJsonRecord, type JsonRecord } from '../walker';

export const HTTP_CONNECTION_MANAGER = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const ROUTER_FILTER = 'envoy.extensions.filters.http.router.v3.Router';

function isRouter(filter: JsonRecord): boolean {
  const config = filter['typed_config'] ?? filter['typedConfig'];
  if (!isJsonRecord(config)) return false;
  const url = config['@type'];
  return typeof url === 'string' && messageNameOf(url) === ROUTER_FILTER;
}

export function httpFilterIssues(hcm: JsonRecord, path: string): RawIssue[] {
  const listPath = fieldPath(path, 'http_filters');
  const raw = hcm['http_filters'] ?? hcm['httpFilters'];
  const filters = Array.isArray(raw) ? raw.filter(isJsonRecord) : [];
  const out: RawIssue[] = [];
  const routers: number[] = [];
  const names = new Map<string, number>();
  filters.forEach((filter, i) => {
    if (isRouter(filter)) routers.push(i);
    const name = filter['name'];
    if (typeof name !== 'string') return;
    const first = names.get(name);
    if (first !== undefined) {
      out.push({ path: fieldPath(indexPath(listPath, i), 'name'), rule: 'hcm.duplicate_filter_name', message: `HTTP filter name "${name}" is already used by http_filters[${first}]` });
    } else {
      names.set(name, i);
    }
  });
  if (routers.length === 0) {
    out.push({ path: listPath, rule: 'hcm.router_missing', message: `the router filter (${ROUTER_FILTER}) must be the last HTTP filter` });
    return out;
  }
  for (const extra of routers.slice(1)) {
    out.push({ path: indexPath(listPath, extra), rule: 'hcm.router_duplicate', message: `the router filter is configured more than once (first at http_filters[${routers[0]}])` });
  }
  const last = filters.length - 1;
  if (routers[routers.length - 1] !== last) {
    const after = filters[last]?.['name'];
    out.push({
      path: indexPath(listPath, routers[0]!),
      rule: 'hcm.router_not_last',
      message: `the router filter must be the last HTTP filter, but ${typeof after === 'string' ? `"${after}"` : `http_filters[${last}]`} follows it`,
    });
  }
  return out;
}
