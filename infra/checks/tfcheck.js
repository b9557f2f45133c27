#!/usr/bin/env node
// Static checks for inkdex's Terraform, without a terraform binary.
//
//   node infra/checks/tfcheck.js [--fix] [--json] [DIR...]
//
// Every directory holding .tf files under each DIR (default: infra/, minus
// the checker's own fixtures) is a module and is checked for: HCL syntax,
// resource/data/provider blocks against the aws, random and archive provider
// schemas, module calls against the called module's variables and provider
// aliases, references (var., local., module., data., resources), provider
// aliases, canonical formatting, typed and described variables, documented
// outputs, and the module file layout. --fix rewrites files into canonical
// format. Exit status 1 when anything is found.
'use strict';
const fs = require('fs');
const path = require('path');
const { Checker } = require('./lib/check');
const { canonical } = require('./lib/format');

const REPO = path.resolve(__dirname, '..', '..');
const SKIP = new Set(['node_modules', '.cache', '.git', '.terraform']);
const FIXTURES = path.join(__dirname, 'fixtures');
const CALLED = new Set(['modules', 'stacks']);

function moduleDirs(root, withFixtures) {
  const dirs = [];
  const walk = (d) => {
    if (!withFixtures && d === FIXTURES) return;
    const entries = fs.readdirSync(d, { withFileTypes: true });
    // Symlinked .tf files count: the environments link to one shared root.
    if (entries.some((e) => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.tf'))) dirs.push(d);
    for (const e of entries) if (e.isDirectory() && !SKIP.has(e.name)) walk(path.join(d, e.name));
  };
  walk(root);
  return dirs.sort();
}

async function run(targets, { fix = false } = {}) {
  const checker = new Checker(REPO);
  const dirs = [];
  for (const t of targets) {
    const abs = path.resolve(t);
    dirs.push(...moduleDirs(abs, abs.startsWith(FIXTURES)));
  }
  if (fix) {
    for (const d of dirs) {
      for (const f of fs.readdirSync(d).filter((n) => n.endsWith('.tf'))) {
        const file = path.join(d, f);
        const src = fs.readFileSync(file, 'utf8');
        const { text } = canonical(src);
        if (text !== src) {
          fs.writeFileSync(file, text);
          console.error(`tfcheck: formatted ${path.relative(REPO, file)}`);
        }
      }
    }
  }
  for (const d of dirs) {
    // Called modules: infra/modules/* and the shared stacks in infra/stacks/*.
    await checker.checkModule(d, { isModuleDir: CALLED.has(path.basename(path.dirname(d))) });
  }
  const seen = new Set();
  const findings = checker.findings.filter((f) => {
    const k = `${f.file}:${f.line}:${f.kind}:${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  findings.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
  return { dirs, findings };
}

async function main() {
  const args = process.argv.slice(2);
  const fix = args.includes('--fix');
  const json = args.includes('--json');
  const targets = args.filter((a) => !a.startsWith('--'));
  if (targets.length === 0) targets.push(path.join(REPO, 'infra'));
  const { dirs, findings } = await run(targets, { fix });
  if (json) {
    console.log(JSON.stringify(findings, null, 2));
  } else {
    for (const f of findings) console.log(`${f.file}:${f.line}: ${f.kind}: ${f.message}`);
    console.log(`tfcheck: ${dirs.length} modules, ${findings.length} findings`);
  }
  process.exitCode = findings.length ? 1 : 0;
}

module.exports = { run, REPO };

if (require.main === module) {
  main().catch((e) => {
    console.error(e.message || e);
    process.exitCode = 2;
  });
}
