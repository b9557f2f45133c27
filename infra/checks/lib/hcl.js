'use strict';
// A small HCL lexer and structural parser with line numbers. It does not
// evaluate expressions: it keeps each attribute's expression as tokens, which
// is enough to find references, and each block's type, labels and body, which
// is enough to check them against a schema. Syntax is validated first by the
// real HCL parser (@cdktf/hcl2json); this one only has to be faithful on
// valid input.

class HclError extends Error {
  constructor(message, line) {
    super(message);
    this.line = line;
  }
}

const PUNCT3 = ['...'];
const PUNCT2 = ['==', '!=', '<=', '>=', '=>', '&&', '||', '::'];
const PUNCT1 = '{}[]()=<>?:.,+-*/%!';

// Token types: ident, number, oquote, lit, cquote, interp (${), control (%{),
// tend (} closing a template sequence), oheredoc, cheredoc, punct, comment, nl, eof.
function lex(src) {
  const toks = [];
  let i = 0;
  let line = 1;
  const n = src.length;
  // Mode stack: {kind: 'normal', tmpl: bool, depth} | {kind: 'string'} | {kind: 'heredoc', marker}
  const modes = [{ kind: 'normal', tmpl: false, depth: 0 }];
  const push = (t, v, l = line) => toks.push({ t, v, line: l, pos: i });

  const templateOpen = () => {
    // at src[i] is '$' or '%' followed by '{'
    push(src[i] === '$' ? 'interp' : 'control', src.slice(i, i + 2));
    i += 2;
    if (src[i] === '~') i++;
    modes.push({ kind: 'normal', tmpl: true, depth: 0 });
  };

  while (i < n) {
    const mode = modes[modes.length - 1];
    const c = src[i];
    if (mode.kind === 'string') {
      let lit = '';
      const startLine = line;
      while (i < n && src[i] !== '"') {
        if (src[i] === '\n') throw new HclError('unterminated string', line);
        if (src[i] === '\\') {
          lit += src.slice(i, i + 2);
          i += 2;
          continue;
        }
        if ((src[i] === '$' || src[i] === '%') && src[i + 1] === '{') break;
        if ((src[i] === '$' || src[i] === '%') && src[i + 1] === src[i] && src[i + 2] === '{') {
          lit += src.slice(i, i + 3);
          i += 3;
          continue;
        }
        lit += src[i++];
      }
      if (lit) push('lit', lit, startLine);
      if (i >= n) throw new HclError('unterminated string', line);
      if (src[i] === '"') {
        push('cquote', '"');
        i++;
        modes.pop();
      } else {
        templateOpen();
      }
      continue;
    }
    if (mode.kind === 'heredoc') {
      // At the start of a body line: the closing marker ends the heredoc.
      if (mode.bol) {
        const eol = src.indexOf('\n', i);
        const text = src.slice(i, eol < 0 ? n : eol);
        if (text.trim() === mode.marker) {
          push('cheredoc', mode.marker);
          i += text.length;
          modes.pop();
          continue;
        }
        mode.bol = false;
      }
      let lit = '';
      while (i < n && src[i] !== '\n') {
        if ((src[i] === '$' || src[i] === '%') && src[i + 1] === src[i] && src[i + 2] === '{') {
          lit += src.slice(i, i + 3);
          i += 3;
          continue;
        }
        if ((src[i] === '$' || src[i] === '%') && src[i + 1] === '{') break;
        lit += src[i++];
      }
      if (i < n && src[i] === '\n') {
        lit += '\n';
        if (lit) push('lit', lit);
        i++;
        line++;
        mode.bol = true;
        continue;
      }
      if (lit) push('lit', lit);
      if (i >= n) throw new HclError(`unterminated heredoc ${mode.marker}`, line);
      templateOpen();
      continue;
    }
    // normal mode
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\n') {
      push('nl', '\n');
      i++;
      line++;
      continue;
    }
    if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      const eol = src.indexOf('\n', i);
      push('comment', src.slice(i, eol < 0 ? n : eol));
      i = eol < 0 ? n : eol;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new HclError('unterminated comment', line);
      const text = src.slice(i, end + 2);
      push('comment', text);
      line += (text.match(/\n/g) || []).length;
      i = end + 2;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_-]/.test(src[j])) j++;
      push('ident', src.slice(i, j));
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i, i + 64));
      push('number', m[0]);
      i += m[0].length;
      continue;
    }
    if (c === '"') {
      push('oquote', '"');
      i++;
      modes.push({ kind: 'string' });
      continue;
    }
    if (c === '<' && src[i + 1] === '<') {
      const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)\r?\n/.exec(src.slice(i, i + 200));
      if (m) {
        push('oheredoc', m[0].trimEnd());
        i += m[0].length;
        line++;
        modes.push({ kind: 'heredoc', marker: m[2], bol: true });
        continue;
      }
    }
    if (mode.tmpl && c === '~' && src[i + 1] === '}' && mode.depth === 0) {
      i++;
      continue;
    }
    if (c === '{') {
      mode.depth++;
      push('punct', '{');
      i++;
      continue;
    }
    if (c === '}') {
      if (mode.tmpl && mode.depth === 0) {
        push('tend', '}');
        i++;
        modes.pop();
        continue;
      }
      mode.depth--;
      push('punct', '}');
      i++;
      continue;
    }
    const three = src.slice(i, i + 3);
    const two = src.slice(i, i + 2);
    if (PUNCT3.includes(three)) {
      push('punct', three);
      i += 3;
    } else if (PUNCT2.includes(two)) {
      push('punct', two);
      i += 2;
    } else if (PUNCT1.includes(c)) {
      push('punct', c);
      i++;
    } else {
      throw new HclError(`unexpected character ${JSON.stringify(c)}`, line);
    }
  }
  const last = modes[modes.length - 1];
  if (last.kind !== 'normal' || last.tmpl) throw new HclError('unexpected end of file', line);
  push('eof', '');
  return toks;
}

const OPEN = new Set(['{', '[', '(']);
const CLOSE = new Set(['}', ']', ')']);

// Bracket change of one token, as terraform fmt counts it.
function bracketChange(tok) {
  if (tok.t === 'punct' && OPEN.has(tok.v)) return 1;
  if (tok.t === 'punct' && CLOSE.has(tok.v)) return -1;
  if (tok.t === 'interp' || tok.t === 'control' || tok.t === 'oheredoc') return 1;
  if (tok.t === 'tend' || tok.t === 'cheredoc') return -1;
  return 0;
}

// parse(src) -> { items } where an item is
//   { kind: 'attr', name, line, expr: [tokens] }
//   { kind: 'block', type, labels: [string], line, endLine, items }
function parse(src) {
  const all = lex(src);
  const toks = all.filter((t) => t.t !== 'comment');
  let p = 0;
  const peek = (k = 0) => toks[p + k];
  const isP = (t, v) => t.t === 'punct' && t.v === v;

  function expression() {
    const expr = [];
    let depth = 0;
    for (;;) {
      const t = peek();
      if (t.t === 'eof') break;
      if (depth === 0 && (t.t === 'nl' || isP(t, '}'))) break;
      depth += bracketChange(t);
      if (depth < 0) throw new HclError(`unbalanced ${t.v}`, t.line);
      expr.push(t);
      p++;
    }
    return expr;
  }

  function body(closing) {
    const items = [];
    for (;;) {
      while (peek().t === 'nl') p++;
      const t = peek();
      if (t.t === 'eof') {
        if (closing) throw new HclError('missing } at end of file', t.line);
        return items;
      }
      if (isP(t, '}')) {
        if (!closing) throw new HclError('unexpected }', t.line);
        return items;
      }
      if (t.t !== 'ident') throw new HclError(`expected an argument or block, found ${JSON.stringify(t.v)}`, t.line);
      p++;
      if (isP(peek(), '=')) {
        p++;
        items.push({ kind: 'attr', name: t.v, line: t.line, expr: expression() });
      } else {
        const labels = [];
        for (;;) {
          const l = peek();
          if (l.t === 'ident') {
            labels.push(l.v);
            p++;
          } else if (l.t === 'oquote') {
            let s = '';
            p++;
            while (peek().t === 'lit') s += toks[p++].v;
            if (peek().t !== 'cquote') throw new HclError('block labels must be plain strings', l.line);
            p++;
            labels.push(s);
          } else break;
        }
        if (!isP(peek(), '{')) throw new HclError(`expected {, found ${JSON.stringify(peek().v)}`, peek().line);
        p++;
        const inner = body(true);
        const end = peek();
        p++;
        items.push({ kind: 'block', type: t.v, labels, line: t.line, endLine: end.line, items: inner });
      }
      const after = peek();
      if (!(after.t === 'nl' || after.t === 'eof' || isP(after, '}'))) {
        throw new HclError(`expected a newline, found ${JSON.stringify(after.v)}`, after.line);
      }
    }
  }

  return { items: body(false), tokens: all };
}

module.exports = { lex, parse, bracketChange, HclError };
