// gRPC-Web → gRPC translation for the whole listener (ListenerOptions.grpcWeb).
import { typed } from '../json';
import { chainWideInstance } from './instance';
import type { HttpFilterModule } from './types';

export const GRPC_WEB_FILTER = 'envoy.filters.http.grpc_web';

export const grpcWebFilter: HttpFilterModule = {
  id: 'grpc_web',
  instances: ({ chain }) => (chain.options.grpcWeb ? [chainWideInstance(GRPC_WEB_FILTER, typed('envoy.extensions.filters.http.grpc_web.v3.GrpcWeb'))] : []),
};
