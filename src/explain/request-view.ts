// The request as Envoy's HTTP connection manager sees it: lower-case header names, pseudo-headers
// (:authority, :method, :path, :scheme) next to the ordinary ones, and the path split from its query.
import type { ExplainRequest } from './types';

export interface RequestView {
  readonly method: string;
  readonly scheme: 'http' | 'https';
  readonly authority: string;
  /** :path with the query string. */
  readonly path: string;
  /** :path without query and fragment (what path matchers see). */
  readonly pathOnly: string;
  /** The query string without "?" ("" when absent). */
  readonly query: string;
  /** Lower-case name → values in order; includes the pseudo-headers. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  /** The connection's peer address. */
  readonly peerIp?: string;
  readonly tls: boolean;
}

/** Path without query and fragment, as Http::PathUtil::removeQueryAndFragment. */
export function removeQueryAndFragment(path: string): string {
  const cut = path.search(/[?#]/);
  return cut >= 0 ? path.slice(0, cut) : path;
}

export function buildRequestView(request: ExplainRequest, path: string): RequestView {
  const headers = new Map<string, string[]>();
  const add = (name: string, value: string): void => {
    const key = name.toLowerCase();
    headers.set(key, [...(headers.get(key) ?? []), value]);
  };
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    const key = name.toLowerCase();
    // Host is :authority in Envoy's header map; the request's `host` field already carries it.
    if (key === 'host' || key.startsWith(':')) continue;
    add(key, value);
  }
  const scheme = request.tls ? 'https' : 'http';
  headers.set(':authority', [request.host]);
  headers.set(':method', [request.method.toUpperCase()]);
  headers.set(':path', [path]);
  headers.set(':scheme', [scheme]);
  const q = path.indexOf('?');
  const query = q >= 0 ? path.slice(q + 1).replace(/#.*$/, '') : '';
  return {
    method: request.method.toUpperCase(),
    scheme,
    authority: request.host,
    path,
    pathOnly: removeQueryAndFragment(path),
    query,
    headers,
    ...(request.sourceIp !== undefined ? { peerIp: request.sourceIp } : {}),
    tls: request.tls === true,
  };
}

/** All values of a header joined with "," (Envoy's getAllOfHeaderAsString); undefined when absent. */
export function headerValue(view: RequestView, name: string): string | undefined {
  const values = view.headers.get(name.toLowerCase());
  return values === undefined || values.length === 0 ? undefined : values.join(',');
}

/** Query parameters in order, undecoded (Envoy's QueryParamsMulti::parseQueryString). */
export function queryParams(view: RequestView): [string, string][] {
  if (view.query === '') return [];
  return view.query
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq >= 0 ? [p.slice(0, eq), p.slice(eq + 1)] : [p, ''];
    });
}

export function firstQueryValue(view: RequestView, name: string): string | undefined {
  return queryParams(view).find(([k]) => k === name)?.[1];
}

/** A cookie's value from the Cookie header(s), quotes removed. */
export function cookieValue(view: RequestView, name: string): string | undefined {
  for (const header of view.headers.get('cookie') ?? []) {
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      if (part.slice(0, eq).trim() !== name) continue;
      let v = part.slice(eq + 1).trim();
      if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
      return v;
    }
  }
  return undefined;
}

/** Host without ":port" (IPv6 literals keep their brackets). */
export function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end >= 0 ? host.slice(0, end + 1) : host;
  }
  const colon = host.lastIndexOf(':');
  return colon >= 0 && /^\d*$/.test(host.slice(colon + 1)) ? host.slice(0, colon) : host;
}

/** The ":port" suffix's number, when the host has one. */
export function hostPort(host: string): number | undefined {
  const rest = host.startsWith('[') ? host.slice(host.indexOf(']') + 1) : host.slice(host.lastIndexOf(':'));
  const m = /^:(\d+)$/.exec(rest);
  return m ? Number(m[1]) : undefined;
}

/**
 * RFC 3986 dot-segment removal (HCM normalize_path) and slash merging (merge_slashes), applied
 * to the path only; the query is kept as it is.
 */
export function normalizePath(path: string, options: { readonly normalize: boolean; readonly mergeSlashes: boolean }): string {
  const cut = path.search(/[?#]/);
  let p = cut >= 0 ? path.slice(0, cut) : path;
  const rest = cut >= 0 ? path.slice(cut) : '';
  if (options.normalize) {
    const out: string[] = [];
    const segments = p.split('/');
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i]!;
      if (s === '.') {
        if (i === segments.length - 1) out.push('');
      } else if (s === '..') {
        if (out.length > 1) out.pop();
        if (i === segments.length - 1) out.push('');
      } else {
        out.push(s);
      }
    }
    p = out.join('/');
    if (!p.startsWith('/')) p = `/${p}`;
  }
  if (options.mergeSlashes) p = p.replace(/\/{2,}/g, '/');
  return p + rest;
}
