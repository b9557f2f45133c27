'use strict';
// Finds the references in an expression's tokens: traversals whose root is
// var, local, module, data, a resource type, or anything else that is not a
// known symbol (each, count, self, path, terraform, a for-expression or
// dynamic-block iterator).

const BUILTIN_ROOTS = new Set(['each', 'count', 'self', 'path', 'terraform']);
const KEYWORDS = new Set(['true', 'false', 'null', 'for', 'in', 'if', 'else', 'endif', 'endfor']);

// Names bound by `for` in this expression: [for k, v in ...], {for ...}, %{ for x in ... }.
function iteratorNames(toks) {
  const names = new Set();
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    const prev = toks[i - 1];
    if (t.t !== 'ident' || t.v !== 'for' || !prev) continue;
    if (!((prev.t === 'punct' && (prev.v === '[' || prev.v === '{')) || prev.t === 'control')) continue;
    for (let j = i + 1; j < toks.length && !(toks[j].t === 'ident' && toks[j].v === 'in'); j++) {
      if (toks[j].t === 'ident') names.add(toks[j].v);
    }
  }
  return names;
}

// -> [{ root, parts: [names after the root], line }]
function references(toks) {
  const refs = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.t !== 'ident' || KEYWORDS.has(t.v)) continue;
    const prev = toks[i - 1];
    if (prev && prev.t === 'punct' && (prev.v === '.' || prev.v === '::')) continue;
    const next = toks[i + 1];
    if (!next || next.t !== 'punct' || next.v !== '.') continue;
    const parts = [];
    for (let j = i + 1; j + 1 < toks.length; j += 2) {
      if (!(toks[j].t === 'punct' && toks[j].v === '.')) break;
      if (toks[j + 1].t !== 'ident') break;
      parts.push(toks[j + 1].v);
    }
    refs.push({ root: t.v, parts, line: t.line });
  }
  return refs;
}

module.exports = { references, iteratorNames, BUILTIN_ROOTS };
