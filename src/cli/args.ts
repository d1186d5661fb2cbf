// A small argument reader for the subcommands: repeatable flags, "--flag value" and "--flag=value".
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs {
  /** Flag → every value given, in order. */
  readonly values: ReadonlyMap<string, readonly string[]>;
  readonly switches: ReadonlySet<string>;
  readonly positional: readonly string[];
}

export function parseArgs(argv: readonly string[], spec: { values: readonly string[]; switches?: readonly string[]; aliases?: Readonly<Record<string, string>> }): ParsedArgs {
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const flag = spec.aliases?.[arg] ?? arg;
    if (spec.switches?.includes(flag)) {
      switches.add(flag);
      continue;
    }
    if (!spec.values.includes(flag)) throw new UsageError(`unknown option ${arg}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`option ${arg} needs a value`);
    values.set(flag, [...(values.get(flag) ?? []), value]);
  }
  return { values, switches, positional };
}

export function single(args: ParsedArgs, flag: string): string | undefined {
  const all = args.values.get(flag);
  if (all && all.length > 1) throw new UsageError(`option ${flag} given more than once`);
  return all?.[0];
}

/** "k=v" pairs (e.g. --meta team=a) → a record. */
export function pairs(args: ParsedArgs, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of args.values.get(flag) ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} takes key=value, got "${item}"`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}
