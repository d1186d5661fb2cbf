// RE2 syntax → JavaScript RegExp (always compiled with the "u" flag, so "." and classes work on
// code points as RE2 does on UTF-8). The two dialects agree on the common core; what differs is
// translated here instead of hoping patterns avoid it:
//   (?P<name>re)            → (?<name>re)
//   \A \z                   → ^ $            (RE2's ^ $ are whole-text anchors unless (?m))
//   (?i) (?s) (?m) (?U), (?flags:re) → emulated: case-folded literals and classes, explicit
//                             "." classes, line anchors via lookaround, swapped greediness
//   .                       → [^\n]           (JS "." also stops at \r, U+2028 and U+2029)
//   \s \S                   → [\t\n\f\r ]     (JS \s includes every Unicode space)
//   [[:alpha:]] \pL \p{Greek} \Q...\E \x{10FFFF} \123 (octal) \C
//   a literal { } or ] that is not syntax → escaped ("u" mode would reject it)
// Constructs RE2 rejects (lookaround, backreferences) throw Re2SyntaxError.

export class Re2SyntaxError extends Error {
  constructor(pattern: string, reason: string) {
    super(`cannot translate RE2 pattern ${JSON.stringify(pattern)}: ${reason}`);
    this.name = 'Re2SyntaxError';
  }
}

interface Flags {
  readonly i: boolean;
  readonly s: boolean;
  readonly m: boolean;
  readonly U: boolean;
}

type Range = [number, number];
const MAX_CODE_POINT = 0x10ffff;

const POSIX_CLASSES: Record<string, Range[]> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a], [0x5f, 0x5f]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};
const PERL_CLASSES: Record<string, Range[]> = {
  d: POSIX_CLASSES['digit']!,
  s: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]],
  w: POSIX_CLASSES['word']!,
};

/** Unicode general categories RE2 knows; any other \p name is a script. */
const GENERAL_CATEGORIES = new Set([
  'C', 'Cc', 'Cf', 'Co', 'Cs', 'L', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu', 'M', 'Mc', 'Me', 'Mn', 'N', 'Nd', 'Nl', 'No',
  'P', 'Pc', 'Pd', 'Pe', 'Pf', 'Pi', 'Po', 'Ps', 'S', 'Sc', 'Sk', 'Sm', 'So', 'Z', 'Zl', 'Zp', 'Zs',
]);

const JS_SYNTAX = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);

function complement(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

function hex(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

function rangesSource(ranges: readonly Range[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)).join('');
}

/** Other-case variants of the code points in the ranges (for (?i)); ranges that are huge are left alone. */
function caseVariants(ranges: readonly Range[]): Range[] {
  const out: Range[] = [];
  for (const [lo, hi] of ranges) {
    if (hi - lo > 0x3000) continue;
    for (let cp = lo; cp <= hi; cp++) {
      const ch = String.fromCodePoint(cp);
      for (const variant of [ch.toLowerCase(), ch.toUpperCase()]) {
        const vcp = variant.codePointAt(0);
        if (vcp !== undefined && variant.length === String.fromCodePoint(vcp).length && vcp !== cp) out.push([vcp, vcp]);
      }
    }
  }
  return out;
}

class Translator {
  private readonly chars: string[];
  private pos = 0;
  private flags: Flags = { i: false, s: false, m: false, U: false };
  private readonly saved: Flags[] = [];
  private out = '';
  /** True when the last thing emitted can take a quantifier. */
  private quantifiable = false;

  constructor(private readonly pattern: string) {
    this.chars = Array.from(pattern);
  }

  private fail(reason: string): never {
    throw new Re2SyntaxError(this.pattern, reason);
  }

  private peek(offset = 0): string | undefined {
    return this.chars[this.pos + offset];
  }

  private emit(source: string, quantifiable: boolean): void {
    this.out += source;
    this.quantifiable = quantifiable;
  }

  run(): string {
    while (this.pos < this.chars.length) {
      const c = this.chars[this.pos++]!;
      switch (c) {
        case '\\':
          this.escape();
          break;
        case '[':
          this.emit(this.charClass(), true);
          break;
        case '(':
          this.openGroup();
          break;
        case ')':
          if (this.saved.length === 0) this.fail('unmatched ")"');
          this.flags = this.saved.pop()!;
          this.emit(')', true);
          break;
        case '.':
          this.emit(this.flags.s ? '[\\s\\S]' : '[^\\n]', true);
          break;
        case '^':
          this.emit(this.flags.m ? '(?:^|(?<=\\n))' : '^', false);
          break;
        case '$':
          this.emit(this.flags.m ? '(?:$|(?=\\n))' : '$', false);
          break;
        case '*':
        case '+':
        case '?':
          this.quantifier(c);
          break;
        case '{': {
          const rep = /^\{(\d+)(,(\d*))?\}/.exec(this.chars.slice(this.pos - 1, this.pos + 24).join(''));
          if (rep) {
            this.pos += rep[0].length - 1;
            this.quantifier(rep[0]);
          } else {
            this.emit(this.literal(c), true);
          }
          break;
        }
        case '|':
          this.emit('|', false);
          break;
        default:
          this.emit(this.literal(c), true);
      }
    }
    if (this.saved.length > 0) this.fail('missing ")"');
    return this.out;
  }

  private quantifier(q: string): void {
    if (!this.quantifiable) this.fail(`missing argument to repetition operator ${q}`);
    let lazy = false;
    if (this.peek() === '?') {
      lazy = true;
      this.pos++;
    }
    // (?U) swaps the meaning of x* and x*?.
    this.emit(q + (lazy !== this.flags.U ? '?' : ''), false);
  }

  private openGroup(): void {
    if (this.peek() !== '?') {
      this.saved.push(this.flags);
      this.emit('(', false);
      return;
    }
    this.pos++;
    const rest = this.chars.slice(this.pos, this.pos + 64).join('');
    const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
    if (named) {
      this.pos += named[0].length;
      this.saved.push(this.flags);
      this.emit(`(?<${named[1]}>`, false);
      return;
    }
    if (rest.startsWith(':')) {
      this.pos++;
      this.saved.push(this.flags);
      this.emit('(?:', false);
      return;
    }
    const flagGroup = /^(-?)([imsU]+)(?:-([imsU]+))?([:)])/.exec(rest) ?? /^()()-([imsU]+)([:)])/.exec(rest);
    if (!flagGroup) this.fail(`unsupported group syntax "(?${rest.slice(0, 3)}"`);
    this.pos += flagGroup[0].length;
    const set = flagGroup[1] === '-' ? '' : flagGroup[2]!;
    const clear = (flagGroup[1] === '-' ? flagGroup[2] : flagGroup[3]) ?? '';
    const next: Flags = {
      i: clear.includes('i') ? false : set.includes('i') || this.flags.i,
      s: clear.includes('s') ? false : set.includes('s') || this.flags.s,
      m: clear.includes('m') ? false : set.includes('m') || this.flags.m,
      U: clear.includes('U') ? false : set.includes('U') || this.flags.U,
    };
    if (flagGroup[4] === ')') {
      // (?i) changes the flags until the end of the enclosing group.
      this.flags = next;
      this.quantifiable = false;
    } else {
      this.saved.push(this.flags);
      this.flags = next;
      this.emit('(?:', false);
    }
  }

  private literal(c: string): string {
    if (this.flags.i) {
      const cp = c.codePointAt(0)!;
      const variants = caseVariants([[cp, cp]]);
      if (variants.length > 0) return `[${rangesSource([[cp, cp], ...variants])}]`;
    }
    return JS_SYNTAX.has(c) ? `\\${c}` : c;
  }

  private escape(): void {
    const d = this.chars[this.pos++];
    if (d === undefined) this.fail('trailing backslash');
    switch (d) {
      case 'A':
        return this.emit('^', false);
      case 'z':
        return this.emit('$', false);
      case 'b':
      case 'B':
        return this.emit(`\\${d}`, false);
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S': {
        const ranges = PERL_CLASSES[d.toLowerCase()]!;
        return this.emit(`[${rangesSource(d === d.toUpperCase() ? complement(ranges) : ranges)}]`, true);
      }
      case 'p':
      case 'P':
        return this.emit(this.unicodeClass(d === 'P'), true);
      case 'Q': {
        let text = '';
        while (this.pos < this.chars.length && !(this.chars[this.pos] === '\\' && this.chars[this.pos + 1] === 'E')) {
          text += this.literal(this.chars[this.pos++]!);
        }
        if (this.pos < this.chars.length) this.pos += 2;
        return this.emit(text === '' ? '(?:)' : `(?:${text})`, text !== '');
      }
      case 'E':
        return; // a stray \E ends nothing
      case 'C':
        return this.emit('[\\s\\S]', true);
      default: {
        const cp = this.escapedCodePoint(d);
        return this.emit(this.literal(String.fromCodePoint(cp)), true);
      }
    }
  }

  /** \x.. \123 \a \f \t \n \r \v and escaped punctuation → the code point it stands for. */
  private escapedCodePoint(d: string): number {
    switch (d) {
      case 'a':
        return 0x07;
      case 'f':
        return 0x0c;
      case 't':
        return 0x09;
      case 'n':
        return 0x0a;
      case 'r':
        return 0x0d;
      case 'v':
        return 0x0b;
      case 'x': {
        if (this.peek() === '{') {
          const end = this.chars.indexOf('}', this.pos);
          const digits = end < 0 ? '' : this.chars.slice(this.pos + 1, end).join('');
          if (!/^[0-9A-Fa-f]{1,6}$/.test(digits) || parseInt(digits, 16) > MAX_CODE_POINT) this.fail('bad \\x{...} escape');
          this.pos = end + 1;
          return parseInt(digits, 16);
        }
        const digits = this.chars.slice(this.pos, this.pos + 2).join('');
        if (!/^[0-9A-Fa-f]{2}$/.test(digits)) this.fail('bad \\x escape');
        this.pos += 2;
        return parseInt(digits, 16);
      }
      default:
        break;
    }
    if (/^[0-7]$/.test(d)) {
      // RE2: \0 starts an octal escape; \1-\7 only when another octal digit follows (no backreferences).
      let digits = d;
      while (digits.length < 3 && /^[0-7]$/.test(this.peek() ?? '')) digits += this.chars[this.pos++];
      if (d !== '0' && digits.length === 1) this.fail(`backreference \\${d} is not supported by RE2`);
      return parseInt(digits, 8);
    }
    if (/^[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]$/.test(d)) return d.codePointAt(0)!;
    this.fail(`invalid escape \\${d}`);
  }

  /** After \p or \P: \pL, \p{Lu}, \p{Greek}, \p{^Greek}. */
  private unicodeClass(negated: boolean): string {
    let name: string;
    if (this.peek() === '{') {
      const end = this.chars.indexOf('}', this.pos);
      if (end < 0) this.fail('missing } in \\p{...}');
      name = this.chars.slice(this.pos + 1, end).join('');
      this.pos = end + 1;
    } else {
      name = this.chars[this.pos++] ?? this.fail('missing class name after \\p');
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    if (name === 'Any') return negated ? '[^\\s\\S]' : '[\\s\\S]';
    if (!/^[A-Za-z_]+$/.test(name)) this.fail(`bad Unicode class name "${name}"`);
    const property = GENERAL_CATEGORIES.has(name) ? name : `Script=${name}`;
    return `\\${negated ? 'P' : 'p'}{${property}}`;
  }

  /** Called after "[": returns the JS class source. */
  private charClass(): string {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const ranges: Range[] = [];
    const raw: string[] = [];
    let first = true;
    for (;;) {
      const c = this.chars[this.pos++];
      if (c === undefined) this.fail('missing "]"');
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && this.peek() === ':') {
        const end = this.chars.indexOf(']', this.pos);
        const spec = end < 0 ? '' : this.chars.slice(this.pos, end + 1).join('');
        const m = /^:(\^?)([a-z]+):\]$/.exec(spec);
        const base = m ? POSIX_CLASSES[m[2]!] : undefined;
        if (!m || !base) this.fail(`bad POSIX class "[${spec}"`);
        this.pos = end + 1;
        ranges.push(...(m[1] === '^' ? complement(base) : base));
        continue;
      }
      let lo: number;
      if (c === '\\') {
        const d = this.chars[this.pos++];
        if (d === undefined) this.fail('trailing backslash');
        const perl = PERL_CLASSES[d.toLowerCase()];
        if (perl) {
          ranges.push(...(d === d.toUpperCase() ? complement(perl) : perl));
          continue;
        }
        if (d === 'p' || d === 'P') {
          const cls = this.unicodeClass(d === 'P');
          if (cls.startsWith('[')) ranges.push(...(cls === '[\\s\\S]' ? [[0, MAX_CODE_POINT] as Range] : []));
          else raw.push(cls);
          continue;
        }
        lo = this.escapedCodePoint(d);
      } else {
        lo = c.codePointAt(0)!;
      }
      let hi = lo;
      if (this.peek() === '-' && this.peek(1) !== undefined && this.peek(1) !== ']') {
        this.pos++;
        const e = this.chars[this.pos++]!;
        hi = e === '\\' ? this.escapedCodePoint(this.chars[this.pos++] ?? this.fail('trailing backslash')) : e.codePointAt(0)!;
        if (hi < lo) this.fail(`bad character class range ${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}`);
      }
      ranges.push([lo, hi]);
    }
    const all = this.flags.i ? [...ranges, ...caseVariants(ranges)] : ranges;
    if (all.length === 0 && raw.length === 0) return negated ? '[\\s\\S]' : '[^\\s\\S]';
    return `[${negated ? '^' : ''}${rangesSource(all)}${raw.join('')}]`;
  }
}

/** JS source equivalent to an RE2 pattern, for `new RegExp(source, 'u')`. */
export function translateRe2(pattern: string): string {
  return new Translator(pattern).run();
}

const compiled = new Map<string, RegExp>();

/**
 * An RE2 pattern as a RegExp with RE2's search semantics (RE2::PartialMatch: the pattern may match
 * anywhere unless it anchors itself). Compiled patterns are cached.
 */
export function compileRe2(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    const source = translateRe2(pattern);
    try {
      re = new RegExp(source, 'u');
    } catch (err) {
      throw new Re2SyntaxError(pattern, (err as Error).message);
    }
    compiled.set(pattern, re);
  }
  return re;
}
