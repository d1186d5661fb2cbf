// The JSON-lines protocol between an end-to-end test and its xDS client child process
// (xds-client-process.ts). One command per stdin line, one reply per stdout line, matched by id.

/** Where a batch of calls landed: calls per backend name, failures per gRPC status name. */
export interface CallTally {
  readonly counts: Record<string, number>;
  readonly errors: Record<string, number>;
  /** The first few distinct failure messages, for diagnosing a failed test. */
  readonly errorSamples: readonly string[];
}

/** Make `n` unary calls (at most `concurrency` in flight) and tally where they landed. */
export interface CallsCommand {
  readonly id: number;
  readonly cmd: 'calls';
  readonly n: number;
  readonly concurrency?: number;
  readonly deadlineMs?: number;
  /** Request metadata (headers) sent with every call. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Make batches of calls until one batch satisfies every condition given, or `timeoutMs` passes:
 * `reach` backends each got at least one call, `avoid` backends got none, `share` bounds each
 * backend's fraction of the batch's successful calls, `noErrors` means no call failed.
 */
export interface WaitCommand {
  readonly id: number;
  readonly cmd: 'wait';
  readonly timeoutMs: number;
  readonly batch?: number;
  readonly reach?: readonly string[];
  readonly avoid?: readonly string[];
  readonly share?: Readonly<Record<string, readonly [number, number]>>;
  readonly noErrors?: boolean;
  /** Request metadata (headers) sent with every call. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface ExitCommand {
  readonly id: number;
  readonly cmd: 'exit';
}

export type ClientCommand = CallsCommand | WaitCommand | ExitCommand;

export interface CallsReply extends CallTally {
  readonly id: number;
  readonly ok: true;
  readonly elapsedMs: number;
}

export interface WaitReply {
  readonly id: number;
  /** True when a batch met the conditions before the timeout. */
  readonly ok: boolean;
  readonly batches: number;
  readonly elapsedMs: number;
  /** The last batch measured (the one that met the conditions when ok). */
  readonly last: CallTally;
}

export interface ErrorReply {
  readonly id: number;
  readonly ok: false;
  readonly error: string;
}

export type ClientReply = CallsReply | WaitReply | ErrorReply;
