// What the converter finds wrong with a Kong file, by Kong field path ("services[0].routes[1].paths[0]").
// Invalid input is always an error. A field meshgate cannot honour is an error too, unless the
// document is lenient: then it becomes a warning and the field is dropped (the caller decides what
// dropping means, and never drops its way into opening a route that Kong would protect).

export interface KongProblem {
  readonly path: string;
  readonly reason: string;
}

export class Problems {
  readonly errors: KongProblem[] = [];
  readonly warnings: KongProblem[] = [];
  private readonly seen = new Set<string>();

  constructor(readonly lenient: boolean) {}

  private push(list: KongProblem[], path: string, reason: string): void {
    const key = `${list === this.errors ? 'e' : 'w'}|${path}|${reason}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    list.push({ path, reason });
  }

  /** Invalid input (schema, references, values): always an error. */
  error(path: string, reason: string): void {
    this.push(this.errors, path, reason);
  }

  /**
   * A valid Kong field or plugin that Envoy/meshgate cannot reproduce. Returns true when the
   * caller must drop it (lenient), false when it was reported as an error.
   */
  cannotHonour(path: string, reason: string): boolean {
    if (this.lenient) {
      this.push(this.warnings, path, `${reason} (dropped: lenient)`);
      return true;
    }
    this.push(this.errors, path, `cannot be honoured: ${reason}`);
    return false;
  }

  /** Honoured, but not exactly as Kong does it: the status says how. */
  warn(path: string, reason: string): void {
    this.push(this.warnings, path, reason);
  }

  get failed(): boolean {
    return this.errors.length > 0;
  }
}

/** "services[0]" + "routes[1]" → "services[0].routes[1]"; "" + "x" → "x"; "a" + "[2]" → "a[2]". */
export function at(base: string, rel: string | number): string {
  if (typeof rel === 'number') return `${base}[${rel}]`;
  if (base === '') return rel;
  if (rel === '') return base;
  return rel.startsWith('[') ? `${base}${rel}` : `${base}.${rel}`;
}
