// What every HTTP filter evaluator receives, and what it returns.
import type { JsonObject } from '../envoy/resource';
import type { PerFilterHit, RouteScope } from './per-filter-config';
import type { RbacContext } from './rbac-eval';
import type { RequestView } from './request-view';
import type { Trace } from './trace';
import type { FilterOutcome, JwtReport, RateLimitReport, RbacReport } from './types';

export interface FilterEnv {
  readonly view: RequestView;
  /** The matched route, its virtual host and route configuration (route absent when none matched). */
  readonly scope: RouteScope;
  readonly rbac: RbacContext;
  readonly remoteIp?: string;
  /** The single cluster the route sends to, for destination_cluster rate limit actions. */
  readonly destinationCluster?: string;
  readonly trace: Trace;
}

export interface FilterVerdict {
  readonly outcome: FilterOutcome;
  readonly detail: string;
  readonly statusCode?: number;
  /** The per-route configuration turns the filter off for this route. */
  readonly disabledByRoute?: boolean;
  readonly rbac?: RbacReport;
  readonly jwt?: JwtReport;
  readonly rateLimit?: RateLimitReport;
  /**
   * Dynamic metadata the filter is known to have written (by namespace), visible to the filters
   * after it: jwt_authn without any token writes no payload, so RBAC rules on claims do not match.
   */
  readonly metadata?: Readonly<Record<string, JsonObject>>;
}

/** Evaluates one HTTP filter: its listener-level config, the per-route config that applies, the request. */
export type FilterEvaluator = (config: JsonObject, perRoute: PerFilterHit | undefined, env: FilterEnv) => FilterVerdict;

export function isCorsPreflight(view: RequestView): boolean {
  return view.method === 'OPTIONS' && view.headers.has('origin') && view.headers.has('access-control-request-method');
}
