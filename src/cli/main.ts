#!/usr/bin/env node
// The `meshgate` command. Each subcommand lives in its own file; this one only dispatches.
import { UsageError } from './args';
import { APPLY_USAGE, runApply } from './apply';
import { BOOTSTRAP_USAGE, runBootstrap } from './bootstrap';
import { CERT_USAGE, runCert } from './cert';
import { CONVERT_USAGE, runConvert } from './convert';
import { EXPLAIN_USAGE, runExplain } from './explain';
import { runRatelimit } from './ratelimit';
import { RENDER_USAGE, runRender } from './render';
import { runServe } from './serve';
import { TOKEN_USAGE, runToken } from './token';
import { VALIDATE_USAGE, runValidate } from './validate';

interface Command {
  readonly summary: string;
  readonly usage?: string;
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  serve: { summary: 'run the control plane (xDS server + admin API)', run: runServe },
  apply: { summary: 'send policy files to a running meshgate (POST /v1/apply)', usage: APPLY_USAGE, run: runApply },
  validate: { summary: 'check policy files offline, as apply would', usage: VALIDATE_USAGE, run: runValidate },
  render: { summary: 'print the Envoy resources a node would receive, offline', usage: RENDER_USAGE, run: runRender },
  convert: { summary: 'write a Kong declarative file as Gateway API + meshgate documents', usage: CONVERT_USAGE, run: runConvert },
  ratelimit: { summary: 'run the global rate limit service on its own (envoy.service.ratelimit.v3)', run: runRatelimit },
  explain: { summary: 'show how a node\'s Envoy would handle a request, offline', usage: EXPLAIN_USAGE, run: runExplain },
  token: { summary: 'issue a sidecar bootstrap token (node metadata meshgate_token)', usage: TOKEN_USAGE, run: runToken },
  bootstrap: { summary: 'print or write an Envoy bootstrap for one proxy (node, proxy group, bootstrap token)', usage: BOOTSTRAP_USAGE, run: runBootstrap },
  cert: { summary: 'write a workload certificate, key and trust bundle (for proxyless gRPC apps)', usage: CERT_USAGE, run: runCert },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: meshgate <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun "meshgate <command> --help" for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`meshgate: unknown command "${name}"\n\n${usage()}\n`);
    return 1;
  }
  if (command.usage && (args.includes('--help') || args.includes('-h'))) {
    process.stdout.write(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`meshgate ${name}: ${err.message}\n${command.usage ?? ''}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`meshgate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
