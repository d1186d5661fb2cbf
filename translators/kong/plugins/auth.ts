// key-auth and basic-auth → SecurityPolicy apiKeyAuth / basicAuth. Every consumer with a key (or a
// basic-auth credential) is accepted, as in Kong; the consumer is forwarded in x-consumer-username.
// anonymous, run_on_preflight false and realm change who gets in or what they see: reported.
import { anything, arr, bool, obj, str } from '../../schema';
import { CONSUMER_HEADER } from '../context';
import { PluginConfig } from './config';
import type { PluginModule } from './types';

const common = { anonymous: str(), run_on_preflight: bool, realm: str() };

function reportCommon(c: PluginConfig): void {
  c.unsupported('anonymous', undefined, 'anonymous consumers are not supported: unauthenticated requests are refused');
  c.unsupported('run_on_preflight', true, 'authentication always runs on OPTIONS requests (a cors plugin answers preflights first)');
  c.unsupported('realm', undefined, 'the WWW-Authenticate realm cannot be set');
}

export const keyAuth: PluginModule = {
  name: 'key-auth',
  noConsumer: true,
  config: obj({ ...common, key_names: arr(str({ minLength: 1, pattern: /^[A-Za-z0-9_-]+$/, patternHint: 'a name of letters, digits, "_" and "-"' }), { minItems: 1 }), hide_credentials: bool, key_in_header: bool, key_in_query: bool, key_in_body: bool, identity_realms: anything }),
  convert(use, env) {
    const c = new PluginConfig(use.base!, env.ctx.problems);
    reportCommon(c);
    c.unsupported('key_in_body', false, 'keys in the request body are not read');
    c.unsupported('identity_realms', undefined, 'Konnect identity realms are not supported');
    const names = c.strings('key_names', ['apikey']);
    const sources = [...(c.bool('key_in_header', true) ? names.map((header) => ({ header })) : []), ...(c.bool('key_in_query', true) ? names.map((query) => ({ query })) : [])];
    if (sources.length === 0) {
      env.ctx.problems.error(c.path('key_in_header'), 'with key_in_header and key_in_query both false no key is ever read: every request would be refused');
      return undefined;
    }
    const hide = c.bool('hide_credentials', false);
    return { security: { apiKeyAuth: { sources, forwardConsumerHeader: CONSUMER_HEADER, ...(hide ? { hideCredentials: true } : {}) } } };
  },
};

export const basicAuth: PluginModule = {
  name: 'basic-auth',
  noConsumer: true,
  config: obj({ ...common, hide_credentials: bool, brute_force_protection: anything }),
  convert(use, env) {
    const c = new PluginConfig(use.base!, env.ctx.problems);
    reportCommon(c);
    c.unsupported('hide_credentials', false, 'the Authorization header is always forwarded upstream');
    c.unsupported('brute_force_protection', undefined, 'brute force protection is not supported');
    if (![...env.consumers.values()].some((p) => p.basicUsername !== undefined)) {
      env.ctx.problems.error(use.base!.plugin.path, 'no consumer has a basic-auth credential: every request would be refused; add basicauth_credentials');
      return undefined;
    }
    return { security: { basicAuth: { forwardConsumerHeader: CONSUMER_HEADER } } };
  },
};
