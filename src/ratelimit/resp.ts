// RESP2, the Redis wire protocol: commands go out as arrays of bulk strings; replies come back as
// simple strings (+), errors (-), integers (:), bulk strings ($) and arrays (*), possibly split
// across TCP chunks or several to a chunk, which RespParser reassembles.

/** An error reply (e.g. "NOSCRIPT No matching script"); a value, because it can sit inside an array. */
export class RedisReplyError extends Error {
  override name = 'RedisReplyError';
  /** The first word, e.g. "NOSCRIPT", "WRONGPASS", "ERR". */
  readonly code: string;
  constructor(message: string) {
    super(message);
    this.code = message.split(' ', 1)[0] ?? '';
  }
}

export type RedisReply = string | number | null | RedisReplyError | readonly RedisReply[];

export type RedisArg = string | number;

export function encodeCommand(args: readonly RedisArg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(String(arg), 'utf8');
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

export class RespProtocolError extends Error {
  override name = 'RespProtocolError';
}

const CR = 13;

/** One reply starting at `at`, or undefined when the buffer does not hold all of it yet. */
function parseAt(buf: Buffer, at: number): { value: RedisReply; next: number } | undefined {
  if (at >= buf.length) return undefined;
  const lineEnd = buf.indexOf(CR, at);
  if (lineEnd < 0 || lineEnd + 1 >= buf.length) return undefined;
  const line = buf.toString('utf8', at + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (buf[at]) {
    case 0x2b: // '+'
      return { value: line, next: afterLine };
    case 0x2d: // '-'
      return { value: new RedisReplyError(line), next: afterLine };
    case 0x3a: // ':'
      return { value: integer(line), next: afterLine };
    case 0x24: {
      // '$'
      const len = integer(line);
      if (len < 0) return { value: null, next: afterLine };
      if (afterLine + len + 2 > buf.length) return undefined;
      return { value: buf.toString('utf8', afterLine, afterLine + len), next: afterLine + len + 2 };
    }
    case 0x2a: {
      // '*'
      const count = integer(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: RedisReply[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseAt(buf, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new RespProtocolError(`unexpected reply type byte 0x${(buf[at] ?? 0).toString(16)}`);
  }
}

function integer(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n)) throw new RespProtocolError(`bad integer "${text}"`);
  return n;
}

export class RespParser {
  private buf: Buffer = Buffer.alloc(0);

  /** Feeds bytes from the socket; returns every reply completed by them, in order. */
  push(chunk: Buffer): RedisReply[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const replies: RedisReply[] = [];
    let at = 0;
    for (;;) {
      const parsed = parseAt(this.buf, at);
      if (!parsed) break;
      replies.push(parsed.value);
      at = parsed.next;
    }
    this.buf = at === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(at);
    return replies;
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
  }
}
