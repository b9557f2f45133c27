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

// A .tf file of the repository, as hcl2json's JSON.
async function load(rel) {
  return require('@cdktf/hcl2json').parse(rel, fs.readFileSync(path.join(REPO, rel), 'utf8'));
}

// The DynamoDB gateway endpoint serves dynamodb.<region> only: stream-mode
// tasks reach streams.dynamodb.<region> through the interface endpoint, which
// has no private DNS, so they must be given its URL and may send HTTPS to it.
test('stream-mode tasks can reach DynamoDB Streams through its interface endpoint', async () => {
  const networking = await load('infra/modules/networking/main.tf');
  const [endpoint] = networking.resource.aws_vpc_endpoint.dynamodb_streams;
  assert.match(endpoint.service_name, /\.dynamodb-streams$/);
  assert.strictEqual(endpoint.vpc_endpoint_type, 'Interface');
  assert.strictEqual(endpoint.private_dns_enabled, false);
  assert.deepStrictEqual(endpoint.security_group_ids, ['${aws_security_group.endpoints.id}']);

  const network = await load('infra/modules/inkdex/network.tf');
  const [egress] = network.resource.aws_vpc_security_group_egress_rule.to_endpoints;
  assert.strictEqual(egress.for_each.tasks.group, '${aws_security_group.tasks.id}');
  assert.strictEqual(egress.security_group_id, '${each.value.group}');
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

// The tasks write their key metrics as embedded-metric-format log lines
// (inkdex-server --emf-interval/--emf-dimensions, service/server/
// emf_publisher.h), which CloudWatch Logs turns into Inkdex-namespace
// metrics: the task definition turns them on with the dimension the alarms
// name, and every metric an Inkdex alarm reads is one the server writes.
test('the Inkdex-namespace alarms read metrics the tasks write', async () => {
  const header = fs.readFileSync(path.join(REPO, 'service/server/emf_publisher.h'), 'utf8');
  const table = header.slice(header.indexOf('kEmfMetrics[] = {'));
  const written = new Set([...table.matchAll(/\{"(\w+)",\s*"\w+"/g)].map((m) => m[1]));
  assert.ok(written.has('inkdex_documents') && written.size >= 10, [...written].join(' '));

  const serviceText = fs.readFileSync(path.join(REPO, 'infra/modules/inkdex/service.tf'), 'utf8');
  assert.match(serviceText, /name = "INKDEX_EMF_INTERVAL", value = "\$\{var\.emf_interval_seconds\}s"/);
  assert.match(serviceText, /name = "INKDEX_EMF_DIMENSIONS", value = "ClusterName=\$\{local\.name\}"/);
  // The stream tasks' drift re-sync: a variable the server reads by its
  // environment name.
  assert.match(serviceText,
    /local\.feed_mode == "stream" \? \[\{ name = "INKDEX_RESYNC_AT_SLOT_DRIFT", value = tostring\(var\.resync_at_slot_drift\) \}\]/);
  const flagsText = fs.readFileSync(path.join(REPO, 'service/server/server_flags.cc'), 'utf8');
  assert.match(flagsText, /->envname\("INKDEX_RESYNC_AT_SLOT_DRIFT"\)/);
  // The tasks' online renumbering (either feed mode), likewise.
  assert.match(serviceText,
    /^\s*\[\{ name = "INKDEX_RENUMBER_ONLINE_AT_DRIFT", value = tostring\(var\.renumber_online_at_drift\) \}\],$/m);
  assert.match(flagsText, /->envname\("INKDEX_RENUMBER_ONLINE_AT_DRIFT"\)/);
  const service = await load('infra/modules/inkdex/service.tf');
  assert.strictEqual(service.resource.aws_ecs_cluster.this[0].name, '${local.name}');

  const alarms = fs.readFileSync(path.join(REPO, 'infra/modules/inkdex/alarms.tf'), 'utf8');
  assert.match(alarms, /inkdex_dimensions = \{ ClusterName = aws_ecs_cluster\.this\.name \}/);
  const read = [...alarms.matchAll(/namespace\s*=\s*"Inkdex"\s*\n\s*metric\s*=\s*"(\w+)"\s*\n\s*dimensions\s*=\s*(\S+)/g)];
  assert.deepStrictEqual(read.map((m) => m[1]).sort(),
    ['inkdex_commit_failures', 'inkdex_index_slot_layout_drift', 'inkdex_log_lines_dropped',
      'inkdex_request_errors', 'inkdex_stream_max_lag_seconds']);
  for (const [, metric, dimensions] of read) {
    assert.ok(written.has(metric), `${metric} is not in kEmfMetrics`);
    assert.strictEqual(dimensions, 'local.inkdex_dimensions', metric);
  }
  // Without data those alarms stay OK; the heartbeat alarm fires instead.
  const parsed = await load('infra/modules/inkdex/alarms.tf');
  const [heartbeat] = parsed.resource.aws_cloudwatch_metric_alarm.no_metrics;
  assert.strictEqual(heartbeat.namespace, 'Inkdex');
  // Written by every task, with or without a table (needs_table false).
  const entry = table.match(new RegExp(`\\{"${heartbeat.metric_name}",[^}]*\\}`));
  assert.ok(entry, `${heartbeat.metric_name} is not in kEmfMetrics`);
  assert.doesNotMatch(entry[0], /,\s*true\s*\}$/, entry[0]);
  assert.strictEqual(heartbeat.dimensions, '${local.inkdex_dimensions}');
  assert.deepStrictEqual([heartbeat.statistic, heartbeat.comparison_operator, heartbeat.threshold,
    heartbeat.treat_missing_data], ['SampleCount', 'LessThanThreshold', 1, 'breaching']);
});

// Forwarder mode: the forwarder lists the replicas with Cloud Map's
// DiscoverInstances (HealthStatus=ALL, infra/lambda/stream-forwarder), which
// is served by data-servicediscovery.<region>: its role may call it for this
// namespace and service only, and it reaches it from the private subnets
// through that interface endpoint, which the stack creates in forwarder mode.
test('the forwarder can discover every replica through the Cloud Map API', async () => {
  const service = await load('infra/modules/inkdex/service.tf');
  const [forwarder] = service.module.forwarder;
  const namespace = '${aws_service_discovery_private_dns_namespace.this.name}';
  const name = '${aws_service_discovery_service.this.name}';
  assert.strictEqual(forwarder.environment.INKDEX_DISCOVERY_NAMESPACE, namespace);
  assert.strictEqual(forwarder.environment.INKDEX_DISCOVERY_SERVICE, name);
  assert.strictEqual(forwarder.environment.INKDEX_GRPC_PORT, '${tostring(local.grpc_port)}');
  assert.strictEqual(forwarder.environment.INKDEX_DISCOVERY_NAME, undefined);
  const discover = forwarder.extra_policy_statements.filter((s) => s.actions.some((a) => a.startsWith('servicediscovery:')));
  assert.deepStrictEqual(discover, [{
    sid: 'DiscoverReplicas',
    actions: ['servicediscovery:DiscoverInstances'],
    resources: ['*'], // the action has no resource type
    conditions: [
      { test: 'StringEquals', variable: 'servicediscovery:NamespaceName', values: [namespace] },
      { test: 'StringEquals', variable: 'servicediscovery:ServiceName', values: [name] },
    ],
  }]);

  // stream-consumer renders the conditions into the role's policy.
  const consumer = fs.readFileSync(path.join(REPO, 'infra/modules/stream-consumer/main.tf'), 'utf8');
  assert.match(consumer, /dynamic "condition" \{\s+for_each = statement\.value\.conditions/);
  const consumerVars = fs.readFileSync(path.join(REPO, 'infra/modules/stream-consumer/variables.tf'), 'utf8');
  assert.match(consumerVars, /conditions = optional\(list\(object\(\{/);

  const networking = await load('infra/modules/networking/main.tf');
  assert.match(networking.locals[0].interface_services,
    /var\.service_discovery_endpoint \? \["data-servicediscovery"\] : \[\]/);
  const [interfaces] = networking.resource.aws_vpc_endpoint.interface;
  assert.strictEqual(interfaces.for_each, '${local.interface_services}');
  assert.strictEqual(interfaces.service_name, 'com.amazonaws.${local.region}.${each.key}');
  assert.strictEqual(interfaces.private_dns_enabled, true);
  assert.deepStrictEqual(interfaces.security_group_ids, ['${aws_security_group.endpoints.id}']);

  const network = await load('infra/modules/inkdex/network.tf');
  const [egress] = network.resource.aws_vpc_security_group_egress_rule.to_endpoints;
  assert.strictEqual(egress.for_each.forwarder.group, '${aws_security_group.forwarder.id}');

  const main = await load('infra/stacks/platform/main.tf');
  assert.strictEqual(main.module.networking[0].service_discovery_endpoint, '${local.inkdex_forwarder}');
  const search = await load('infra/stacks/platform/search.tf');
  assert.strictEqual(search.module.inkdex[0].feed_mode, '${local.inkdex_forwarder ? "forwarder" : "stream"}');
});
