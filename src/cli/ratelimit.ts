// `meshgate ratelimit`: meshgate's RateLimitService (envoy.service.ratelimit.v3) as its own process.
// Rules come from --config (JSON or YAML, the shape of src/ratelimit/rule-set-file.ts); SIGHUP
// re-reads it. Counters are in memory, or in Redis with --redis-url so that several processes share
// them.
import pino from 'pino';
import { OptionsError, optionsHelp, parseFlags } from '../config/options';
import { RuleSetError } from '../ratelimit/rule-set-file';
import { RedisUrlError } from '../ratelimit/redis-url';
import { startStandaloneRateLimit } from '../ratelimit/standalone';
import { exitOnSignals } from './shutdown';

const FLAGS = {
  host: { flag: '--host', env: 'MESHGATE_RATELIMIT_HOST', help: 'address the gRPC server binds (default 0.0.0.0)' },
  port: { flag: '--port', env: 'MESHGATE_RATELIMIT_PORT', help: 'gRPC port (default 18081; 0 picks a free port)' },
  config: { flag: '--config', env: 'MESHGATE_RATELIMIT_CONFIG', help: 'rules file, JSON or YAML (required; SIGHUP reloads it)' },
  redisUrl: { flag: '--redis-url', env: 'MESHGATE_REDIS_URL', help: 'redis://[:password@]host:port/db; counters in memory when absent' },
  redisKeyPrefix: { flag: '--redis-key-prefix', env: 'MESHGATE_REDIS_KEY_PREFIX', help: 'prefix of every Redis key (default meshgate:ratelimit:)' },
  logLevel: { flag: '--log-level', env: 'MESHGATE_LOG_LEVEL', help: 'pino log level (default info)' },
} as const;

type FlagName = keyof typeof FLAGS;

function help(): string {
  return `usage: meshgate ratelimit --config <rules.yaml> [options]\n\nEach option can also be set by its environment variable:\n${optionsHelp(FLAGS)}\n`;
}

function parsePort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new OptionsError(`--port must be a port number (0-65535), got "${text}"`);
  return n;
}

export async function runRatelimit(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(help());
    return 0;
  }
  let get: (name: FlagName) => string | undefined;
  let port: number;
  try {
    const { values, rest } = parseFlags(args, Object.values(FLAGS).map((f) => f.flag));
    if (rest.length > 0) throw new OptionsError(`unexpected argument "${rest[0]}"`);
    get = (name) => values.get(FLAGS[name].flag) ?? (env[FLAGS[name].env] ? env[FLAGS[name].env] : undefined);
    port = parsePort(get('port') ?? '18081');
    if (!get('config')) throw new OptionsError('--config <rules file> is required');
  } catch (err) {
    if (err instanceof OptionsError) {
      process.stderr.write(`meshgate ratelimit: ${err.message}\n\n${help()}`);
      return 1;
    }
    throw err;
  }
  const logger = pino({ level: get('logLevel') ?? 'info', name: 'meshgate-ratelimit' });
  const redisUrl = get('redisUrl');
  const redisKeyPrefix = get('redisKeyPrefix');
  let service;
  try {
    service = await startStandaloneRateLimit({
      host: get('host') ?? '0.0.0.0',
      port,
      configFile: get('config')!,
      ...(redisUrl ? { redisUrl } : {}),
      ...(redisKeyPrefix !== undefined ? { redisKeyPrefix } : {}),
      logger,
    });
  } catch (err) {
    if (err instanceof RuleSetError || err instanceof RedisUrlError) {
      process.stderr.write(`meshgate ratelimit: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const running = service;
  process.on('SIGHUP', () => {
    try {
      running.reload();
    } catch (err) {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'rate limit rules not reloaded: keeping the current ones');
    }
  });
  exitOnSignals(logger, () => running.close());
  return 0;
}
