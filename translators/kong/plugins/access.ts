// acl, cors and ip-restriction → SecurityPolicy authorization, cors and ipAccess.
import { isIP } from 'node:net';
import { cidrProblem } from '../../core/addresses';
import { arr, bool, num, obj, str } from '../../schema';
import { HTTP_METHODS } from '../../gateway-api/schemas/http-route';
import { CONSUMER_HEADER } from '../context';
import { PluginConfig } from './config';
import type { PluginModule } from './types';

export const acl: PluginModule = {
  name: 'acl',
  noConsumer: true,
  config: obj({ allow: arr(str({ minLength: 1 })), deny: arr(str({ minLength: 1 })), hide_groups_header: bool, include_consumer_groups: bool, always_use_authenticated_groups: bool }),
  convert(use, env) {
    const c = new PluginConfig(use.base!, env.ctx.problems);
    const allow = c.strings('allow');
    const deny = c.strings('deny');
    if ((allow.length > 0) === (deny.length > 0)) {
      env.ctx.problems.error(use.base!.configPath, 'set exactly one of allow and deny');
      return undefined;
    }
    c.unsupported('include_consumer_groups', false, 'consumer groups are not supported');
    c.unsupported('always_use_authenticated_groups', false, 'groups from an external authentication are not supported');
    if (!c.bool('hide_groups_header', false)) env.ctx.problems.warn(c.path('hide_groups_header'), 'X-Consumer-Groups is not sent upstream');
    return { security: { authorization: { ...(allow.length > 0 ? { allowGroups: [...allow] } : { denyGroups: [...deny] }), consumerHeader: CONSUMER_HEADER } } };
  },
};

const ALL_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'];
const ORIGIN = /^(\*|[a-zA-Z][a-zA-Z0-9+\-.]+:\/\/(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?)$/;

export const cors: PluginModule = {
  name: 'cors',
  noConsumer: true,
  config: obj({
    origins: arr(str({ minLength: 1 })),
    headers: arr(str({ minLength: 1 })),
    exposed_headers: arr(str({ minLength: 1 })),
    methods: arr(str({ minLength: 1 })),
    max_age: num(0),
    credentials: bool,
    private_network: bool,
    preflight_continue: bool,
    allow_origin_absent: bool,
  }),
  convert(use, env) {
    const problems = env.ctx.problems;
    const c = new PluginConfig(use.base!, problems);
    c.unsupported('preflight_continue', false, 'preflight requests are always answered by the proxy');
    c.unsupported('private_network', false, 'Access-Control-Allow-Private-Network is not supported');
    c.unsupported('allow_origin_absent', true, 'CORS headers are only sent to requests with an Origin');
    const origins: string[] = [];
    c.strings('origins').forEach((o, i) => {
      // Kong compares plain origins exactly (as an anchored regex); other regexes cannot be expressed.
      const plain = o.replace(/\\\./g, '.');
      if (ORIGIN.test(plain)) origins.push(plain);
      else problems.cannotHonour(c.path(`origins[${i}]`), `"${o}" is a regular expression; only exact origins, "https://*.example.com" and "*" can be matched`);
    });
    if (c.strings('origins').length > 0 && origins.length === 0) {
      // Every origin was dropped: allow none rather than all.
      return undefined;
    }
    const methods = c.strings('methods', ALL_METHODS).map((m) => m.toUpperCase());
    const badMethod = methods.findIndex((m) => !(HTTP_METHODS as readonly string[]).includes(m));
    if (badMethod >= 0) problems.error(c.path(`methods[${badMethod}]`), `"${methods[badMethod]}" is not an HTTP method`);
    const maxAge = Math.round(c.number('max_age') ?? 0);
    const headers = c.strings('headers');
    const exposed = c.strings('exposed_headers');
    return {
      security: {
        cors: {
          allowOrigins: origins.includes('*') || origins.length === 0 ? ['*'] : origins,
          allowMethods: methods.filter((m) => (HTTP_METHODS as readonly string[]).includes(m)),
          // Kong echoes the requested headers when none are configured.
          allowHeaders: headers.length > 0 ? [...headers] : ['*'],
          ...(exposed.length > 0 ? { exposeHeaders: [...exposed] } : {}),
          ...(maxAge > 0 ? { maxAge } : {}),
          ...(c.bool('credentials', false) ? { allowCredentials: true } : {}),
        },
      },
    };
  },
};

/** Kong takes addresses and CIDRs alike; meshgate takes CIDRs. */
function cidrOf(entry: string): string {
  if (entry.includes('/')) return entry;
  return isIP(entry) === 6 ? `${entry}/128` : `${entry}/32`;
}

export const ipRestriction: PluginModule = {
  name: 'ip-restriction',
  config: obj({ allow: arr(str({ minLength: 1 })), deny: arr(str({ minLength: 1 })), status: num(), message: str() }),
  convert(use, env) {
    const problems = env.ctx.problems;
    const c = new PluginConfig(use.base!, problems);
    const lists: Record<'allow' | 'deny', string[]> = { allow: [], deny: [] };
    for (const field of ['allow', 'deny'] as const) {
      c.strings(field).forEach((entry, i) => {
        const cidr = cidrOf(entry);
        const bad = cidrProblem(cidr);
        if (bad) problems.error(c.path(`${field}[${i}]`), `"${entry}" ${bad}`);
        else lists[field].push(cidr);
      });
    }
    if (c.strings('allow').length === 0 && c.strings('deny').length === 0) {
      problems.error(use.base!.configPath, 'set allow, deny or both');
      return undefined;
    }
    c.unsupported('message', undefined, 'the refusal body cannot be set');
    const status = c.number('status');
    if (status !== undefined && (!Number.isInteger(status) || status < 400 || status > 599)) problems.error(c.path('status'), 'must be an HTTP error status (400-599)');
    return {
      security: {
        ipAccess: {
          ...(lists.allow.length > 0 ? { allow: lists.allow } : {}),
          ...(lists.deny.length > 0 ? { deny: lists.deny } : {}),
          ...(status !== undefined && status !== 403 ? { denyStatus: status } : {}),
        },
      },
    };
  },
};

const UNITS: Readonly<Record<string, number>> = { megabytes: 2 ** 20, kilobytes: 2 ** 10, bytes: 1 };

export const requestSizeLimiting: PluginModule = {
  name: 'request-size-limiting',
  config: obj({ allowed_payload_size: num(0), size_unit: { kind: 'string', enum: Object.keys(UNITS) }, require_content_length: bool }),
  convert(use, env) {
    const c = new PluginConfig(use.base!, env.ctx.problems);
    c.unsupported('require_content_length', false, 'requests without Content-Length are not refused');
    const bytes = Math.floor((c.number('allowed_payload_size') ?? 128) * (UNITS[c.string('size_unit') ?? 'megabytes'] ?? 2 ** 20));
    if (bytes < 1) {
      env.ctx.problems.error(c.path('allowed_payload_size'), 'must allow at least one byte');
      return undefined;
    }
    return { traffic: { maxRequestBodyBytes: bytes } };
  },
};
