// Long-running commands (serve, ratelimit) stop the same way: on SIGINT or SIGTERM, close cleanly
// and exit 0, or exit 1 when closing fails.
import type { Logger } from 'pino';

export function exitOnSignals(logger: Logger, close: () => Promise<void>): void {
  const stop = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
