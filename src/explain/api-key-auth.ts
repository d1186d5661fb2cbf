// api_key_auth (Envoy 1.33+): the key is read from the first key source that yields one (header,
// with a "Bearer " prefix stripped, else query parameter, else cookie). No key or an unknown key is
// 401; a known key whose client is not in the route's allowed_clients is 403.
import type { JsonObject } from '../envoy/resource';
import type { FilterEvaluator } from './filter-env';
import { bool, obj, objs, str, strs } from './json';
import { cookieValue, firstQueryValue, type RequestView } from './request-view';

function extractKey(sources: JsonObject[], view: RequestView): { key: string; from: string } | undefined {
  for (const s of sources) {
    const header = str(s, 'header');
    const query = str(s, 'query');
    const cookie = str(s, 'cookie');
    if (header) {
      const raw = view.headers.get(header.toLowerCase())?.[0];
      if (raw !== undefined && raw !== '') return { key: raw.startsWith('Bearer ') ? raw.slice(7) : raw, from: `header ${header}` };
    } else if (query) {
      const v = firstQueryValue(view, query);
      if (v) return { key: v, from: `query parameter ${query}` };
    } else if (cookie) {
      const v = cookieValue(view, cookie);
      if (v) return { key: v, from: `cookie ${cookie}` };
    }
  }
  return undefined;
}

export const evalApiKeyAuth: FilterEvaluator = (config, perRoute, env) => {
  const override = perRoute?.config;
  const credentials = objs(override, 'credentials').length > 0 ? objs(override, 'credentials') : objs(config, 'credentials');
  const sources = objs(override, 'key_sources').length > 0 ? objs(override, 'key_sources') : objs(config, 'key_sources');
  const allowed = strs(override, 'allowed_clients');
  const forwarding = obj(override, 'forwarding') ?? obj(config, 'forwarding');
  const found = extractKey(sources, env.view);
  const where = sources.map((s) => str(s, 'header') ? `header ${str(s, 'header')}` : str(s, 'query') ? `query ${str(s, 'query')}` : `cookie ${str(s, 'cookie') ?? ''}`).join(', ');
  if (!found) return { outcome: 'deny', statusCode: 401, detail: `no API key in ${where || 'any key source'}: 401` };
  const credential = credentials.find((c) => str(c, 'key') === found.key);
  if (!credential) return { outcome: 'deny', statusCode: 401, detail: `API key from ${found.from} is not a known credential: 401` };
  const client = str(credential, 'client') ?? '';
  if (allowed.length > 0 && !allowed.includes(client)) {
    return { outcome: 'deny', statusCode: 403, detail: `API key of client "${client}" is valid but the ${perRoute?.level ?? 'route'} allows only ${allowed.join(', ')}: 403` };
  }
  const fwd = str(forwarding, 'header');
  const hide = bool(forwarding, 'hide_credentials') === true;
  return { outcome: 'pass', detail: `API key from ${found.from} identifies client "${client}"${fwd ? `; ${fwd}: ${client} is sent upstream` : ''}${hide ? '; the key is removed before forwarding' : ''}` };
};
