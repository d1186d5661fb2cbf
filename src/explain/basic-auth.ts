// basic_auth: the Authorization: Basic credentials checked against the htpasswd users ({SHA}
// hashes only, as Envoy accepts). Missing or wrong credentials are 401.
import { createHash } from 'node:crypto';
import type { FilterEvaluator } from './filter-env';
import { dataSourceText, obj, str } from './json';
import { headerValue } from './request-view';

/** htpasswd "user:{SHA}base64" lines → user → hash. */
function parseUsers(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    users.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return users;
}

export const evalBasicAuth: FilterEvaluator = (config, perRoute, env) => {
  const source = obj(perRoute?.config, 'users') ?? obj(config, 'users');
  const text = dataSourceText(source);
  const headerName = str(config, 'authentication_header') ?? 'authorization';
  const forward = str(config, 'forward_username_header');
  if (text === undefined) {
    env.trace.assume('basic_auth users come from a file or environment variable explain cannot read');
    return { outcome: 'unknown', detail: 'users are not inline; cannot check credentials' };
  }
  const users = parseUsers(text);
  const header = headerValue(env.view, headerName);
  if (header === undefined || !/^basic\s+/i.test(header)) return { outcome: 'deny', statusCode: 401, detail: `no Basic credentials in ${headerName}: 401` };
  const decoded = Buffer.from(header.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { outcome: 'deny', statusCode: 401, detail: 'malformed Basic credentials: 401' };
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const hash = users.get(user);
  const expected = `{SHA}${createHash('sha1').update(password, 'utf8').digest('base64')}`;
  if (hash === undefined) return { outcome: 'deny', statusCode: 401, detail: `unknown user "${user}": 401` };
  if (hash !== expected) return { outcome: 'deny', statusCode: 401, detail: `wrong password for user "${user}": 401` };
  return { outcome: 'pass', detail: `user "${user}" authenticated${perRoute?.config ? ` (users from the ${perRoute.level})` : ''}${forward ? `; ${forward}: ${user} is sent upstream` : ''}` };
};
