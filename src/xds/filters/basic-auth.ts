// Basic auth (envoy.filters.http.basic_auth, Envoy 1.29+). Users are htpasswd lines with {SHA}
// hashes, given per route (BasicAuthPerRoute.users). The header that carries the user name
// upstream (forward_username_header) only exists at filter level, so routes asking for different
// headers get one instance each.
import type { JsonObject } from '../../envoy/resource';
import type { BasicAuthPolicy } from '../../ir/policy';
import { compact, typed } from '../json';
import { groupRoutes, instanceNames, perRouteInstance } from './instance';
import type { HttpFilterModule } from './types';

export const BASIC_AUTH_FILTER = 'envoy.filters.http.basic_auth';

export function htpasswd(policy: BasicAuthPolicy): string {
  return policy.users.map((u) => `${u.consumer}:{SHA}${u.sha1Base64}`).join('\n');
}

export const basicAuthFilter: HttpFilterModule = {
  id: 'basic_auth',
  instances({ chain }) {
    const groups = groupRoutes(
      chain.routes,
      (r) => r.policy.basicAuth,
      (p) => p.consumerHeader ?? '',
      (p) => p.consumerHeader ?? 'no-forwarding',
    );
    const names = instanceNames(BASIC_AUTH_FILTER, groups);
    return groups.map((group, i) => {
      const members = new Set(group.routes);
      const config = typed('envoy.extensions.filters.http.basic_auth.v3.BasicAuth', compact({ forward_username_header: group.value.consumerHeader }));
      return perRouteInstance(names[i]!, config, (r): JsonObject | undefined =>
        members.has(r) && r.policy.basicAuth
          ? typed('envoy.extensions.filters.http.basic_auth.v3.BasicAuthPerRoute', { users: { inline_string: htpasswd(r.policy.basicAuth) } })
          : undefined,
      );
    });
  },
};
