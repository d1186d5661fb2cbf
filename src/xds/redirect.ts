// Redirects: a route's RedirectAction, and the whole-listener HTTP → HTTPS redirect.
import type { JsonObject } from '../envoy/resource';
import type { PathMatch, RedirectAction } from '../ir/route';
import type { Listener } from '../ir/types';
import { compact } from './json';
import { replacePrefixMatch } from './path-rewrite';

/** RedirectResponseCode by HTTP status; 301 (MOVED_PERMANENTLY) is the zero value, so it is left out. */
const RESPONSE_CODES: Record<RedirectAction['statusCode'], string | undefined> = {
  301: undefined,
  302: 'FOUND',
  303: 'SEE_OTHER',
  307: 'TEMPORARY_REDIRECT',
  308: 'PERMANENT_REDIRECT',
};

export function redirectAction(redirect: RedirectAction, match: PathMatch): JsonObject {
  let path: JsonObject = {};
  if (redirect.path?.type === 'ReplaceFullPath') path = { path_redirect: redirect.path.value };
  if (redirect.path?.type === 'ReplacePrefixMatch') path = replacePrefixMatch(redirect.path.value, match);
  return compact({
    scheme_redirect: redirect.scheme,
    host_redirect: redirect.hostname,
    port_redirect: redirect.port,
    ...path,
    response_code: RESPONSE_CODES[redirect.statusCode],
  });
}

export const HTTPS_REDIRECT_ROUTE = 'https_redirect';

export interface HttpsRedirectHost {
  readonly name: string;
  readonly domains: readonly string[];
  readonly routes: readonly JsonObject[];
}

/** The virtual host of a listener that answers every request with a redirect to https. */
export function httpsRedirectVirtualHost(listener: Listener, redirect: NonNullable<Listener['httpsRedirect']>): HttpsRedirectHost {
  const name = `${listener.name}/${HTTPS_REDIRECT_ROUTE}`;
  return {
    name,
    domains: listener.hostnames.length > 0 ? listener.hostnames : ['*'],
    routes: [
      {
        name,
        match: { prefix: '/' },
        redirect: compact({ https_redirect: true, port_redirect: redirect.port, response_code: RESPONSE_CODES[redirect.statusCode] }),
      },
    ],
  };
}
