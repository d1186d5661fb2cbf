// The tiny gRPC service the end-to-end backends serve: `meshgate.test.Echo/Who` answers with the
// name of the backend that handled the call, so a client can count where its traffic landed.
// Defined inline (protobufjs JSON descriptor) so the tests need no .proto file on disk.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { INamespace } from 'protobufjs';

const ECHO_DESCRIPTOR: INamespace = {
  nested: {
    meshgate: {
      nested: {
        test: {
          nested: {
            WhoRequest: { fields: {} },
            WhoReply: { fields: { backend: { type: 'string', id: 1 } } },
            Echo: {
              methods: {
                Who: { requestType: 'WhoRequest', responseType: 'WhoReply', comment: '' },
              },
            },
          },
        },
      },
    },
  },
};

export interface WhoReply {
  backend: string;
}

/** The service definition of meshgate.test.Echo (methods with their serializers). */
export function echoService(): grpc.ServiceDefinition {
  const definition = protoLoader.fromJSON(ECHO_DESCRIPTOR, { keepCase: true, defaults: true });
  const service = definition['meshgate.test.Echo'];
  if (!service || !('Who' in service)) throw new Error('meshgate.test.Echo did not load as a service');
  return service as grpc.ServiceDefinition;
}
