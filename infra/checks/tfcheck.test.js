'use strict';
// node --test infra/checks/tfcheck.test.js
// 1. The project's own Terraform (infra/) passes every check.
// 2. Each fixture under fixtures/ (a small broken configuration, one per kind
//    of fault) is reported exactly as its expect.json says: kind, file, line.
// 3. The formatter is idempotent and fixes the format fixture.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { run, REPO } = require('./tfcheck');
const { canonical } = require('./lib/format');
const { SCHEMA } = require('./lib/schema');

const FIXTURES = path.join(__dirname, 'fixtures');

test('tools are installed (scripts/install-npm-tools.sh)', () => {
  assert.ok(fs.existsSync(path.join(__dirname, 'node_modules', '@cdktf', 'hcl2json')),
    '@cdktf/hcl2json missing: run scripts/install-npm-tools.sh');
  assert.ok(fs.existsSync(SCHEMA), `${SCHEMA} missing: run scripts/install-npm-tools.sh`);
});

test('infra/ passes every check', async () => {
  const { dirs, findings } = await run([path.join(REPO, 'infra')]);
  assert.ok(dirs.length >= 22, `expected the modules and environments, found ${dirs.length} directories`);
  assert.deepStrictEqual(findings.map((f) => `${f.file}:${f.line}: ${f.kind}: ${f.message}`), []);
});

for (const name of fs.readdirSync(FIXTURES).sort()) {
  const dir = path.join(FIXTURES, name);
  if (!fs.existsSync(path.join(dir, 'expect.json'))) continue;
  test(`fixture ${name} is reported with file and line`, async () => {
    const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expect.json'), 'utf8'))
      .map((e) => `${path.join('infra/checks/fixtures', name, e.file)}:${e.line}: ${e.kind}`)
      .sort();
    const { findings } = await run([dir]);
    // Only findings in the fixture's own top directory: a child module it calls is checked on its own.
    const got = findings
      .filter((f) => path.dirname(f.file) === path.join('infra/checks/fixtures', name))
      .map((f) => `${f.file}:${f.line}: ${f.kind}`)
      .sort();
    assert.deepStrictEqual(got, expected);
    for (const f of findings) assert.ok(f.line > 0 && f.message, `finding without line or message: ${JSON.stringify(f)}`);
  });
}

test('formatting fix is canonical and idempotent', () => {
  const src = fs.readFileSync(path.join(FIXTURES, 'format', 'main.tf'), 'utf8');
  const once = canonical(src).text;
  assert.strictEqual(once, 'resource "aws_sqs_queue" "q" {\n  name          = "q"\n  delay_seconds = 0\n  tags          = {}\n}\n');
  assert.strictEqual(canonical(once).text, once);
});

test('heredocs and multi-line values keep their layout', () => {
  const src = [
    'resource "aws_iam_policy" "p" {',
    '  name = "p"',
    '  policy = <<-EOT',
    '    {"Version": "2012-10-17"}',
    '  EOT',
    '  tags = {',
    '    a = 1',
    '    bb = 2',
    '  }',
    '}',
    '',
  ].join('\n');
  const want = [
    'resource "aws_iam_policy" "p" {',
    '  name = "p"',
    '  policy = <<-EOT',
    '    {"Version": "2012-10-17"}',
    '  EOT',
    '  tags = {',
    '    a  = 1',
    '    bb = 2',
    '  }',
    '}',
    '',
  ].join('\n');
  assert.strictEqual(canonical(src).text, want);
});
