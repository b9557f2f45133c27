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

// The DynamoDB gateway endpoint serves dynamodb.<region> only: stream-mode
// tasks reach streams.dynamodb.<region> through the interface endpoint, which
// has no private DNS, so they must be given its URL and may send HTTPS to it.
test('stream-mode tasks can reach DynamoDB Streams through its interface endpoint', async () => {
  const hcl2json = require('@cdktf/hcl2json');
  const load = async (rel) => hcl2json.parse(rel, fs.readFileSync(path.join(REPO, rel), 'utf8'));
  const networking = await load('infra/modules/networking/main.tf');
  const [endpoint] = networking.resource.aws_vpc_endpoint.dynamodb_streams;
  assert.match(endpoint.service_name, /\.dynamodb-streams$/);
  assert.strictEqual(endpoint.vpc_endpoint_type, 'Interface');
  assert.strictEqual(endpoint.private_dns_enabled, false);
  assert.deepStrictEqual(endpoint.security_group_ids, ['${aws_security_group.endpoints.id}']);

  const network = await load('infra/modules/inkdex/network.tf');
  const [egress] = network.resource.aws_vpc_security_group_egress_rule.tasks_to_streams_endpoint;
  assert.strictEqual(egress.security_group_id, '${aws_security_group.tasks.id}');
  assert.strictEqual(egress.referenced_security_group_id, '${var.endpoints_security_group_id}');
  assert.deepStrictEqual([egress.ip_protocol, egress.from_port, egress.to_port], ['tcp', 443, 443]);

  const service = fs.readFileSync(path.join(REPO, 'infra/modules/inkdex/service.tf'), 'utf8');
  assert.match(service, /INKDEX_DYNAMODB_STREAMS_ENDPOINT", value = var\.dynamodb_streams_endpoint_url/);
  const stack = await load('infra/stacks/platform/search.tf');
  const [inkdex] = stack.module.inkdex;
  assert.strictEqual(inkdex.dynamodb_streams_endpoint_url,
    '${module.networking.dynamodb_streams_endpoint_url}');
  assert.strictEqual(inkdex.endpoints_security_group_id,
    '${module.networking.endpoints_security_group_id}');
});
