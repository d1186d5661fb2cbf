// Child process: one xDS-enabled gRPC server (@grpc/grpc-js-xds XdsServer) answering
// meshgate.test.Echo/Who with its name. Its bootstrap (GRPC_XDS_BOOTSTRAP_CONFIG) names the xDS
// server, the node, server_listener_resource_name_template and, for mTLS, certificate providers;
// the server binds argv[3] ("0.0.0.0:<port>") and serves once its Listener arrives, printing
// {"serving": <port>} on stdout. RBAC needs GRPC_XDS_EXPERIMENTAL_RBAC=true (set by the parent).
// The process exits when stdin closes, so a test that dies cannot leave it behind.
import * as readline from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import { echoService, type WhoReply } from './echo-service';

function main(): void {
  const name = process.argv[2];
  const address = process.argv[3];
  if (!name || !address) {
    process.stderr.write('usage: xds-server-process <name> <ip:port>\n');
    process.exit(2);
  }
  grpcXds.register();
  const server = new grpcXds.XdsServer();
  server.addService(echoService(), {
    Who(_call: grpc.ServerUnaryCall<unknown, WhoReply>, callback: grpc.sendUnaryData<WhoReply>) {
      callback(null, { backend: name });
    },
  });
  server.bindAsync(address, new grpcXds.XdsServerCredentials(grpc.ServerCredentials.createInsecure()), (err, port) => {
    if (err) {
      process.stdout.write(JSON.stringify({ error: err.message }) + '\n');
      return;
    }
    process.stdout.write(JSON.stringify({ serving: port }) + '\n');
  });
  readline.createInterface({ input: process.stdin }).on('close', () => {
    server.forceShutdown();
    process.exit(0);
  });
}

main();
