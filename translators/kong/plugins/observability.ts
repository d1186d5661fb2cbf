// correlation-id, prometheus and file-log. Envoy generates request ids, serves statistics and
// writes access logs per listener, so prometheus and file-log act on whole listeners; the
// correlation id is Envoy's x-request-id, copied into Kong's header on the routes in scope.
import { anything, bool, obj, oneOfStrings, str } from '../../schema';
import { STATUS_LISTENER } from '../context';
import { PluginConfig } from './config';
import type { PluginEffect, PluginModule } from './types';

export const correlationId: PluginModule = {
  name: 'correlation-id',
  config: obj({ header_name: str({ minLength: 1 }), generator: oneOfStrings('uuid', 'uuid#counter', 'tracker'), echo_downstream: bool }),
  convert(use, env): PluginEffect | undefined {
    const problems = env.ctx.problems;
    const c = new PluginConfig(use.base!, problems);
    const header = c.string('header_name') ?? 'Kong-Request-ID';
    const generator = c.string('generator') ?? 'uuid#counter';
    if (generator === 'tracker') problems.cannotHonour(c.path('generator'), 'tracker ids are not supported; ids are UUIDs');
    else if (generator === 'uuid#counter') problems.warn(c.path('generator'), 'ids are UUIDs (Envoy x-request-id), without the #counter suffix');
    const echo = c.bool('echo_downstream', false);
    if (header.toLowerCase() === 'x-request-id') {
      return { listenerPolicy: { spec: { requestId: { generate: true, preserveExternal: true, ...(echo ? { returnInResponse: true } : {}) } } } };
    }
    // Kong keeps a correlation id the client sent; otherwise it is the generated request id.
    return {
      listenerPolicy: { spec: { requestId: { generate: true } } },
      filter: {
        requestHeaders: { addIfAbsent: [{ name: header, fromHeader: 'x-request-id' }] },
        ...(echo ? { responseHeaders: { set: [{ name: header, fromRequestHeader: header }] } } : {}),
      },
    };
  },
};

export const prometheus: PluginModule = {
  name: 'prometheus',
  scope: 'listener-widened',
  config: obj({
    per_consumer: bool,
    status_code_metrics: bool,
    latency_metrics: bool,
    bandwidth_metrics: bool,
    upstream_health_metrics: bool,
    ai_metrics: bool,
    wasm_metrics: bool,
  }),
  convert(use, env): PluginEffect | undefined {
    const c = new PluginConfig(use.base!, env.ctx.problems);
    c.unsupported('per_consumer', false, 'metrics are not broken down per consumer');
    // Kong serves metrics on its status listener; so does the converted Gateway (port 8100).
    return { statusListener: true, listenerPolicy: { spec: { prometheusStats: { path: '/metrics' } }, sectionName: STATUS_LISTENER } };
  },
};

export const fileLog: PluginModule = {
  name: 'file-log',
  scope: 'listener-only',
  config: obj({ path: str({ minLength: 1, pattern: /^[^*&%\\`]+$/, patternHint: 'a file path' }), reopen: bool, custom_fields_by_lua: anything }, { required: ['path'] }),
  convert(use, env): PluginEffect | undefined {
    const c = new PluginConfig(use.base!, env.ctx.problems);
    c.unsupported('custom_fields_by_lua', undefined, 'Lua is not run');
    if (c.bool('reopen', false)) env.ctx.problems.warn(c.path('reopen'), 'Envoy reopens access log files when it is told to (SIGUSR1), not on every request');
    return { listenerPolicy: { spec: { accessLog: { path: c.string('path') ?? '' } } } };
  },
};
