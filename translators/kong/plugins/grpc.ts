// grpc-web → TrafficPolicy grpcWeb (Envoy's grpc_web filter, per listener: it only acts on
// gRPC-Web requests, so enabling it for a whole listener leaves other requests alone).
// grpc-gateway → TrafficPolicy grpcJsonTranscoder with the .proto text: the CLI reads the file that
// config.proto names (relative to the Kong file) and puts its text here; the API expects the text.
import { bool, obj, str } from '../../schema';
import { PluginConfig } from './config';
import type { PluginEffect, PluginModule } from './types';

/** A .proto file's text, as opposed to the name of one. */
export function isProtoText(value: string): boolean {
  return /\n/.test(value) || /\b(syntax|service|message|package)\b[^\n]*[;{]/.test(value);
}

export const grpcWeb: PluginModule = {
  name: 'grpc-web',
  scope: 'listener-widened',
  config: obj({ proto: str(), pass_stripped_path: bool, allow_origin_header: str() }),
  convert(use, env): PluginEffect | undefined {
    const c = new PluginConfig(use.base!, env.ctx.problems);
    c.unsupported('proto', undefined, 'gRPC-Web JSON transcoding is not supported (clients use application/grpc-web+proto)');
    c.unsupported('pass_stripped_path', false, 'the stripped path is not passed upstream');
    const origin = c.string('allow_origin_header') ?? '*';
    env.ctx.problems.warn(c.path('allow_origin_header'), `Access-Control-Allow-Origin: ${origin} is not added to responses (add a cors plugin)`);
    return { listenerTraffic: { grpcWeb: true } };
  },
};

export const grpcGateway: PluginModule = {
  name: 'grpc-gateway',
  config: obj({ proto: str({ minLength: 1 }) }, { required: ['proto'] }),
  convert(use, env): PluginEffect | undefined {
    const c = new PluginConfig(use.base!, env.ctx.problems);
    const proto = c.string('proto') ?? '';
    if (!isProtoText(proto)) {
      env.ctx.problems.error(c.path('proto'), `"${proto}" names a file: meshgate apply/validate/render/convert read it and inline its text; POST /v1/apply needs the .proto text itself`);
      return undefined;
    }
    return { traffic: { grpcJsonTranscoder: { proto } } };
  },
};
