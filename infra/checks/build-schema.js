#!/usr/bin/env node
// Builds a compact Terraform provider schema (.cache/schema.json) from the
// `.jsii` manifests of the prebuilt CDKTF provider packages
// (@cdktf/provider-aws, -random, -archive). Each manifest lists every
// resource and data source with its config struct; a property of the struct
// is an argument, or a nested block when its type is another struct.
//
//   node build-schema.js OUT.json PROVIDER_JSII...
'use strict';
const fs = require('fs');
const path = require('path');

const LINK = /\{@link (\S+) ([a-z0-9_]+)\}/;
const ANCHOR = /\{@link \S+#([A-Za-z0-9_]+) [A-Za-z0-9_]+#[A-Za-z0-9_]+\}/;

function structOf(type, types) {
  // A property's type names a struct directly, inside a collection, or inside a union.
  if (!type) return null;
  if (type.fqn && types[type.fqn] && types[type.fqn].datatype) return type.fqn;
  if (type.collection) return structOf(type.collection.elementtype, types);
  if (type.union) {
    for (const t of type.union.types) {
      const s = structOf(t, types);
      if (s) return s;
    }
  }
  return null;
}

function buildProvider(jsii, out) {
  const types = jsii.types;
  const ids = new Map();

  function body(fqn) {
    if (ids.has(fqn)) return ids.get(fqn);
    const id = out.bodies.length;
    ids.set(fqn, id);
    const b = { a: {}, b: {} };
    out.bodies.push(b);
    const seen = new Set();
    const visit = (f) => {
      const t = types[f];
      if (!t || seen.has(f)) return;
      seen.add(f);
      for (const p of t.properties || []) {
        const doc = `${(p.docs && p.docs.summary) || ''} ${(p.docs && p.docs.remarks) || ''}`;
        const m = ANCHOR.exec(doc);
        if (!m) continue;
        const name = m[1];
        const required = p.optional ? 0 : 1;
        const s = structOf(p.type, types);
        if (s) b.b[name] = [body(s), required];
        // Blocks too deep for the bindings are typed `any`: known, contents unchecked (-1).
        else if (p.type.primitive === 'any' && /block\.$/.test((p.docs && p.docs.summary) || '')) b.b[name] = [-1, required];
        else b.a[name] = required;
      }
      for (const i of t.interfaces || []) if (!i.startsWith('cdktf.')) visit(i);
    };
    visit(fqn);
    return id;
  }

  let count = 0;
  for (const t of Object.values(types)) {
    if (t.kind !== 'class' || !(t.properties || []).some((p) => p.static && p.name === 'tfResourceType')) continue;
    const m = LINK.exec((t.docs && t.docs.summary) || '');
    if (!m) continue;
    const [, url, name] = m;
    const param = ((t.initializer && t.initializer.parameters) || []).find((p) => p.name === 'config');
    if (!param || !param.type.fqn) continue;
    let kind;
    if (url.includes('/docs/resources/')) kind = 'resource';
    else if (url.includes('/docs/data-sources/')) kind = 'data';
    else if (/\/docs$/.test(url)) kind = 'provider';
    else continue;
    out[kind][name] = body(param.type.fqn);
    const v = /\/providers\/([^/]+)\/([^/]+)\/([^/]+)\/docs/.exec(url);
    if (v && kind === 'provider') out.versions[name] = `${v[1]}/${v[2]} ${v[3]}`;
    count++;
  }
  return count;
}

function main() {
  const [outFile, ...inputs] = process.argv.slice(2);
  if (!outFile || inputs.length === 0) {
    console.error('usage: build-schema.js OUT.json PROVIDER.jsii...');
    process.exit(2);
  }
  const out = { versions: {}, provider: {}, resource: {}, data: {}, bodies: [] };
  for (const f of inputs) {
    const n = buildProvider(JSON.parse(fs.readFileSync(f, 'utf8')), out);
    console.error(`build-schema: ${path.basename(path.dirname(path.dirname(f)))}: ${n} types from ${f}`);
  }
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(`${outFile}.tmp`, JSON.stringify(out));
  fs.renameSync(`${outFile}.tmp`, outFile);
}

main();
