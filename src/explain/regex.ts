// RE2 patterns from the config evaluated with JavaScript RegExps. Envoy's safe_regex matchers are
// full matches (RE2::FullMatch); regex rewrites are RE2::GlobalReplace with "\1" back-references.
import { translateRe2 } from '../validate/re2';

const fullMatchers = new Map<string, RegExp | null>();
const globalMatchers = new Map<string, RegExp | null>();

function compile(cache: Map<string, RegExp | null>, pattern: string, wrap: (source: string) => string, flags: string): RegExp | undefined {
  let re = cache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(wrap(translateRe2(pattern)), flags);
    } catch {
      // A pattern Envoy would reject never reaches a running proxy; treat it as matching nothing.
      re = null;
    }
    cache.set(pattern, re);
  }
  return re ?? undefined;
}

/** RE2::FullMatch: the whole text must match. An untranslatable pattern matches nothing. */
export function re2FullMatch(pattern: string, text: string): boolean {
  const re = compile(fullMatchers, pattern, (s) => `^(?:${s})$`, 'u');
  return re !== undefined && re.test(text);
}

/** True when the pattern compiles (so that callers can say why nothing matched). */
export function re2Valid(pattern: string): boolean {
  return compile(fullMatchers, pattern, (s) => `^(?:${s})$`, 'u') !== undefined;
}

/**
 * RE2::GlobalReplace: every non-overlapping match replaced by the substitution, in which \0–\9
 * are capture groups and "\\" a backslash. Undefined when the pattern cannot be compiled.
 */
export function re2ReplaceAll(pattern: string, text: string, substitution: string): string | undefined {
  const re = compile(globalMatchers, pattern, (s) => s, 'gu');
  if (re === undefined) return undefined;
  re.lastIndex = 0;
  return text.replace(re, (...args: unknown[]) => {
    // args: the match, each capture (string or undefined), then the offset (the first number).
    const offsetIndex = args.findIndex((a, i) => i > 0 && typeof a === 'number');
    const groups = args.slice(0, offsetIndex);
    let out = '';
    for (let i = 0; i < substitution.length; i++) {
      const c = substitution[i]!;
      const next = substitution[i + 1];
      if (c === '\\' && next !== undefined && /[0-9]/.test(next)) {
        const g = groups[Number(next)];
        out += typeof g === 'string' ? g : '';
        i++;
      } else if (c === '\\' && next === '\\') {
        out += '\\';
        i++;
      } else {
        out += c;
      }
    }
    return out;
  });
}
