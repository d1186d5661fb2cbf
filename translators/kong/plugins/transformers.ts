// request-transformer and response-transformer → an HTTPRouteFilter's requestHeaders /
// responseHeaders. Kong's order is remove, rename, replace, add, append: Kong "add" sets a
// header only when it is absent (addIfAbsent), "append" adds another value (add). Kong "replace"
// changes a header only when it is present, which Envoy cannot express; querystring, body and
// JSON changes and Kong's $(...) templates are not supported either. replace.uri sets the upstream
// path (folded into the route's rewrite).
import type { JsonObject, JsonValue } from '../../../src/envoy/resource';
import { arr, obj, str } from '../../schema';
import { PluginConfig } from './config';
import type { PluginEffect, PluginModule } from './types';

const list = arr(str());

interface Problems {
  cannotHonour(path: string, reason: string): boolean;
  error(path: string, reason: string): void;
}

function pairs(c: PluginConfig, record: string, field: string, problems: Problems): { name: string; value: string; index: number }[] {
  const out: { name: string; value: string; index: number }[] = [];
  c.nested(record, field).forEach((entry: JsonValue, i) => {
    if (typeof entry !== 'string') return;
    const colon = entry.indexOf(':');
    if (colon <= 0) {
      problems.error(c.path(`${record}.${field}[${i}]`), `"${entry}" is not name:value`);
      return;
    }
    out.push({ name: entry.slice(0, colon).trim(), value: entry.slice(colon + 1).trim(), index: i });
  });
  return out;
}

/** Entries using Kong templates ($(headers.x) …) are reported and left out. */
function literal(c: PluginConfig, record: string, entries: { name: string; value: string; index: number }[], problems: Problems): { name: string; value: string }[] {
  return entries
    .filter((e) => {
      if (!e.value.includes('$(')) return true;
      problems.cannotHonour(c.path(`${record}.headers[${e.index}]`), 'Kong templates ($(…)) are not supported');
      return false;
    })
    .map((e) => ({ name: e.name, value: e.value }));
}

function reportOthers(c: PluginConfig, problems: Problems, records: readonly string[], fields: readonly string[]): void {
  for (const record of records) {
    for (const field of fields) {
      if (c.nested(record, field).length > 0) problems.cannotHonour(c.path(`${record}.${field}`), `${field} changes are not supported (headers only)`);
    }
  }
}

export const requestTransformer: PluginModule = {
  name: 'request-transformer',
  config: obj({
    http_method: str(),
    remove: obj({ headers: list, querystring: list, body: list }),
    rename: obj({ headers: list, querystring: list, body: list }),
    replace: obj({ uri: str(), headers: list, querystring: list, body: list, json_types: list }),
    add: obj({ headers: list, querystring: list, body: list, json_types: list }),
    append: obj({ headers: list, querystring: list, body: list, json_types: list }),
  }),
  convert(use, env): PluginEffect | undefined {
    const problems = env.ctx.problems;
    const c = new PluginConfig(use.base!, problems);
    c.unsupported('http_method', undefined, 'the request method cannot be changed');
    reportOthers(c, problems, ['remove', 'rename', 'replace', 'add', 'append'], ['querystring', 'body']);
    if (c.nested('replace', 'headers').length > 0) problems.cannotHonour(c.path('replace.headers'), 'Envoy cannot change a header only when it is present (use add or append)');
    const remove = c.nested('remove', 'headers').filter((h): h is string => typeof h === 'string');
    const rename = pairs(c, 'rename', 'headers', problems).map((p) => ({ from: p.name, to: p.value }));
    const addIfAbsent = literal(c, 'add', pairs(c, 'add', 'headers', problems), problems);
    const add = literal(c, 'append', pairs(c, 'append', 'headers', problems), problems);
    const uri = typeof c.raw['replace'] === 'object' && c.raw['replace'] !== null && !Array.isArray(c.raw['replace']) ? (c.raw['replace'] as JsonObject)['uri'] : undefined;
    let replaceUri: string | undefined;
    if (typeof uri === 'string' && uri !== '') {
      if (uri.includes('$(')) problems.cannotHonour(c.path('replace.uri'), 'Kong templates ($(…)) are not supported');
      else if (!uri.startsWith('/')) problems.error(c.path('replace.uri'), 'must be a path starting with "/"');
      else replaceUri = uri;
    }
    const requestHeaders: JsonObject = {
      ...(remove.length > 0 ? { remove } : {}),
      ...(rename.length > 0 ? { rename } : {}),
      ...(addIfAbsent.length > 0 ? { addIfAbsent } : {}),
      ...(add.length > 0 ? { add } : {}),
    };
    if (Object.keys(requestHeaders).length === 0 && replaceUri === undefined) return undefined;
    return { ...(Object.keys(requestHeaders).length > 0 ? { filter: { requestHeaders } } : {}), ...(replaceUri !== undefined ? { replaceUri } : {}) };
  },
};

export const responseTransformer: PluginModule = {
  name: 'response-transformer',
  config: obj({
    remove: obj({ headers: list, json: list }),
    rename: obj({ headers: list, json: list }),
    replace: obj({ headers: list, json: list, json_types: list }),
    add: obj({ headers: list, json: list, json_types: list }),
    append: obj({ headers: list, json: list, json_types: list }),
  }),
  convert(use, env): PluginEffect | undefined {
    const problems = env.ctx.problems;
    const c = new PluginConfig(use.base!, problems);
    reportOthers(c, problems, ['remove', 'rename', 'replace', 'add', 'append'], ['json']);
    if (c.nested('replace', 'headers').length > 0) problems.cannotHonour(c.path('replace.headers'), 'Envoy cannot change a header only when it is present (use add or append)');
    if (c.nested('rename', 'headers').length > 0) problems.cannotHonour(c.path('rename.headers'), 'response headers cannot be renamed');
    const remove = c.nested('remove', 'headers').filter((h): h is string => typeof h === 'string');
    const addIfAbsent = literal(c, 'add', pairs(c, 'add', 'headers', problems), problems);
    const add = literal(c, 'append', pairs(c, 'append', 'headers', problems), problems);
    const responseHeaders: JsonObject = {
      ...(remove.length > 0 ? { remove } : {}),
      ...(addIfAbsent.length > 0 ? { addIfAbsent } : {}),
      ...(add.length > 0 ? { add } : {}),
    };
    return Object.keys(responseHeaders).length > 0 ? { filter: { responseHeaders } } : undefined;
  },
};
