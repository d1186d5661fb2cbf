// Routes in the IR: how a request is matched, and what happens to it.
import type { RoutePolicy } from './policy';
import type { Source } from './types';

export interface Route {
  /** Unique within the proxy; stable across translations (Envoy's route name, shown by explain). */
  readonly name: string;
  readonly match: RouteMatch;
  readonly action: RouteAction;
  readonly requestHeaders?: HeaderMutation;
  readonly responseHeaders?: HeaderMutation;
  readonly policy?: RoutePolicy;
  readonly source: Source;
}

export interface RouteMatch {
  readonly path: PathMatch;
  readonly headers?: readonly HeaderMatch[];
  readonly queryParams?: readonly QueryParamMatch[];
  /** HTTP method, upper case. */
  readonly method?: string;
  /** Only match gRPC requests (content-type application/grpc). */
  readonly grpc?: boolean;
}

export type PathMatch =
  | { readonly type: 'Exact'; readonly value: string }
  /** Gateway API semantics: "/foo" matches "/foo" and "/foo/bar" but not "/foobar". */
  | { readonly type: 'PathPrefix'; readonly value: string }
  /** Plain string prefix (Kong, Istio): "/foo" also matches "/foobar". */
  | { readonly type: 'StringPrefix'; readonly value: string }
  | { readonly type: 'RegularExpression'; readonly value: string };

export interface HeaderMatch {
  /** Lower-case header name. */
  readonly name: string;
  readonly type: 'Exact' | 'RegularExpression' | 'Prefix' | 'Present';
  readonly value?: string;
  readonly invert?: boolean;
}

export interface QueryParamMatch {
  readonly name: string;
  readonly type: 'Exact' | 'RegularExpression' | 'Present';
  readonly value?: string;
}

export type RouteAction = ForwardAction | RedirectAction | DirectResponseAction;

export interface ForwardAction {
  readonly type: 'forward';
  /** Weighted backends; one entry means no split. A weight of 0 keeps the backend listed but idle. */
  readonly backends: readonly WeightedBackend[];
  /** Upstream timeout for the whole request, ms. Absent: Envoy's default (15 s); 0: disabled. */
  readonly timeoutMs?: number;
  /** The stream may stay idle (no bytes either way) this long, ms (RouteAction.idle_timeout); 0: disabled. */
  readonly idleTimeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly mirrors?: readonly Mirror[];
  readonly rewrite?: Rewrite;
  /** Consistent-hash keys for ring hash / maglev clusters. */
  readonly hashOn?: readonly HashKey[];
  /** Allow WebSocket upgrades on this route (listener option must be on too). */
  readonly websocket?: boolean;
  /** Backends unavailable (e.g. refs not resolved): answer 500, as Gateway API requires. */
  readonly unavailableStatus?: number;
}

export interface WeightedBackend {
  /** A Cluster name in the same proxy. */
  readonly cluster: string;
  readonly weight: number;
  readonly requestHeaders?: HeaderMutation;
}

export interface RetryPolicy {
  readonly attempts: number;
  /** Envoy retry_on conditions, e.g. "5xx", "reset", "connect-failure", "retriable-status-codes". */
  readonly retryOn: readonly string[];
  readonly retriableStatusCodes?: readonly number[];
  readonly perTryTimeoutMs?: number;
  readonly backoff?: { readonly baseIntervalMs: number; readonly maxIntervalMs?: number };
}

export interface Mirror {
  readonly cluster: string;
  /** 0–100; absent = every request. */
  readonly percent?: number;
}

export interface Rewrite {
  readonly path?:
    | { readonly type: 'ReplacePrefixMatch'; readonly value: string }
    | { readonly type: 'ReplaceFullPath'; readonly value: string }
    | { readonly type: 'Regex'; readonly pattern: string; readonly substitution: string };
  readonly host?: string;
}

export type HashKey =
  | { readonly type: 'header'; readonly name: string }
  | { readonly type: 'cookie'; readonly name: string; readonly ttlSeconds?: number }
  | { readonly type: 'sourceIP' }
  | { readonly type: 'queryParameter'; readonly name: string };

export interface RedirectAction {
  readonly type: 'redirect';
  readonly scheme?: 'http' | 'https';
  readonly hostname?: string;
  readonly port?: number;
  readonly path?: { readonly type: 'ReplaceFullPath' | 'ReplacePrefixMatch'; readonly value: string };
  readonly statusCode: 301 | 302 | 303 | 307 | 308;
}

export interface DirectResponseAction {
  readonly type: 'direct';
  readonly status: number;
  readonly body?: string;
  /** Content-Type of the answer (Envoy sends text/plain with a body unless told otherwise). */
  readonly contentType?: string;
}

/**
 * Header changes; names lower-case. `set` overwrites, `add` appends, `addIfAbsent` adds only
 * when the header is not there yet, `remove` deletes, `rename` moves a request header's value to
 * another name (request headers only; on a forwarded request). Removals happen before additions.
 */
export interface HeaderMutation {
  readonly set?: readonly HeaderValue[];
  readonly add?: readonly HeaderValue[];
  readonly addIfAbsent?: readonly HeaderValue[];
  readonly remove?: readonly string[];
  readonly rename?: readonly HeaderRename[];
}

/**
 * A header to write. A value is taken literally (src/xds escapes what Envoy would read as a
 * command operator), copied from a request header, or, for input families whose header values
 * are Envoy format strings (Istio), passed through as such.
 */
export type HeaderValue =
  | { readonly name: string; readonly value: string }
  /** The request header's value (for response headers too); nothing is written when it is absent. */
  | { readonly name: string; readonly fromRequestHeader: string }
  /** An Envoy header value format string (e.g. "%DOWNSTREAM_REMOTE_ADDRESS%"), used as is. */
  | { readonly name: string; readonly envoyFormat: string };

/** Copy the request header `from` to `to` (overwriting it), then remove `from`; nothing happens when `from` is absent. */
export interface HeaderRename {
  readonly from: string;
  readonly to: string;
}
