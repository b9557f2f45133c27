'use strict';
// The canonical layout that `terraform fmt` (hclwrite) gives a file, for the
// parts that matter to a reader:
//   - indentation: two spaces per bracket level, counted per line the way
//     hclwrite does (a line with a net opening raises the level for the lines
//     after it, a line with a net closing lowers its own level);
//   - alignment: the `=` of consecutive single-line arguments lines up one
//     space after the longest name; a blank line, a comment line, a block or a
//     multi-line value ends the run; exactly one space follows the `=`;
//   - no tabs for indentation, no trailing whitespace, no run of blank lines,
//     one newline at the end of the file.
// Heredoc bodies and block comments are left as they are.
const { lex, bracketChange } = require('./hcl');

function canonical(src) {
  const toks = lex(src);
  const lines = src.split('\n');
  const hadFinalNewline = src.endsWith('\n');
  if (hadFinalNewline) lines.pop();
  const byLine = lines.map(() => []);
  const verbatim = lines.map(() => false);
  let heredocFrom = 0;
  for (const t of toks) {
    if (t.t === 'nl' || t.t === 'eof') continue;
    if (t.t === 'oheredoc') heredocFrom = t.line + 1;
    if (t.t === 'cheredoc') {
      for (let l = heredocFrom; l <= t.line; l++) verbatim[l - 1] = true;
      heredocFrom = 0;
    }
    if (t.t === 'comment' && t.v.startsWith('/*')) {
      const extra = (t.v.match(/\n/g) || []).length;
      for (let l = t.line + 1; l <= t.line + extra; l++) verbatim[l - 1] = true;
    }
    if (t.line - 1 < byLine.length) byLine[t.line - 1].push(t);
  }

  const starts = [0];
  for (let k = 0; k < src.length; k++) if (src[k] === '\n') starts.push(k + 1);
  const out = [];
  const indents = [];
  const cells = []; // per output line: { lead, rest } when it is a single-line assignment
  for (let li = 0; li < lines.length; li++) {
    const raw = lines[li];
    let code = byLine[li].filter((t) => t.t !== 'comment' || t.v.startsWith('/*'));
    if (verbatim[li]) {
      // Only the heredoc's closing marker (or body template sequences) counts for brackets.
      code = code.filter((t) => t.t === 'cheredoc');
    }
    let net = 0;
    for (const t of code) net += bracketChange(t);
    let level = indents.length;
    if (net > 0) {
      indents.push(net);
    } else if (net < 0) {
      let closed = -net;
      while (closed > 0 && indents.length > 0) {
        const top = indents[indents.length - 1];
        if (closed >= top) {
          closed -= top;
          indents.pop();
        } else {
          indents[indents.length - 1] -= closed;
          closed = 0;
        }
      }
      level = indents.length;
    }
    if (verbatim[li]) {
      out.push(raw);
      cells.push(null);
      continue;
    }
    const text = raw.replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
    if (text === '') {
      out.push('');
      cells.push(null);
      continue;
    }
    const line = ' '.repeat(2 * level) + text;
    // A single-line assignment: the first `=` (after some lead) whose right-hand
    // side has balanced brackets.
    let cell = null;
    const toksHere = byLine[li].filter((t) => t.t !== 'comment');
    const eqIdx = toksHere.findIndex((t, k) => k > 0 && t.t === 'punct' && t.v === '=');
    if (eqIdx > 0) {
      let rhs = 0;
      for (const t of toksHere.slice(eqIdx)) rhs += bracketChange(t);
      if (rhs === 0) {
        const eqCol = toksHere[eqIdx].pos - starts[li];
        const lead = raw.slice(0, eqCol).trim();
        const rest = raw.slice(eqCol + 1).trim();
        cell = { indent: 2 * level, lead, rest };
      }
    }
    out.push(line);
    cells.push(cell);
  }
  // Align runs of assignments.
  for (let i = 0; i < out.length; ) {
    if (!cells[i]) {
      i++;
      continue;
    }
    let j = i;
    let width = 0;
    while (j < out.length && cells[j]) {
      width = Math.max(width, cells[j].indent + cells[j].lead.length);
      j++;
    }
    for (let k = i; k < j; k++) {
      const c = cells[k];
      const pad = width - (c.indent + c.lead.length) + 1;
      out[k] = `${' '.repeat(c.indent)}${c.lead}${' '.repeat(pad)}=${c.rest ? ` ${c.rest}` : ''}`;
    }
    i = j;
  }
  // No runs of blank lines, none at the start or end.
  const squeezed = [];
  for (let i = 0; i < out.length; i++) {
    if (out[i] === '' && !verbatim[i] && (squeezed.length === 0 || squeezed[squeezed.length - 1].text === '')) continue;
    squeezed.push({ text: out[i], from: i + 1 });
  }
  while (squeezed.length && squeezed[squeezed.length - 1].text === '') squeezed.pop();
  return { text: `${squeezed.map((l) => l.text).join('\n')}\n`, lines: squeezed };
}

// Returns [{ line, message }] for every line that differs from the canonical form.
function formatFindings(src) {
  const { text, lines } = canonical(src);
  if (text === src) return [];
  const original = src.split('\n');
  const findings = [];
  const mapped = new Set();
  for (const l of lines) {
    mapped.add(l.from);
    if (original[l.from - 1] !== l.text) {
      const why = /^\s*/.exec(original[l.from - 1])[0].length !== /^\s*/.exec(l.text)[0].length
        ? `indentation should be ${/^\s*/.exec(l.text)[0].length} spaces`
        : /\s$/.test(original[l.from - 1])
          ? 'trailing whitespace'
          : `expected ${JSON.stringify(l.text.trim())}`;
      findings.push({ line: l.from, message: why });
    }
  }
  for (let i = 0; i < original.length; i++) {
    if (!mapped.has(i + 1) && !(i === original.length - 1 && original[i] === '')) {
      findings.push({ line: i + 1, message: 'extra blank line' });
    }
  }
  if (!src.endsWith('\n')) findings.push({ line: original.length, message: 'missing newline at end of file' });
  findings.sort((a, b) => a.line - b.line);
  return findings.length ? findings : [{ line: 1, message: 'file is not in canonical format' }];
}

module.exports = { canonical, formatFindings };
