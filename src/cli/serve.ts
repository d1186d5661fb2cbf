// `meshgate serve` (what `npm start` runs): the control plane with embedded defaults.
import pino from 'pino';
import { startControlPlane } from '../app';
import { exitOnSignals } from './shutdown';
import { OPTION_SPECS, OptionsError, optionsHelp, parseFlags, resolveOptions } from '../config/options';

export async function runServe(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`usage: meshgate serve [options]\n\nEach option can also be set by its environment variable:\n${optionsHelp()}\n`);
    return 0;
  }
  let options;
  try {
    const { values, rest } = parseFlags(args, Object.values(OPTION_SPECS).map((s) => s.flag));
    if (rest.length > 0) throw new OptionsError(`unexpected argument "${rest[0]}"`);
    options = resolveOptions(values);
  } catch (err) {
    if (err instanceof OptionsError) {
      process.stderr.write(`meshgate serve: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const logger = pino({ level: options.logLevel, name: 'meshgate' });
  const plane = await startControlPlane(options, logger);
  exitOnSignals(logger, () => plane.close());
  return 0;
}
