'use strict';
// The static Terraform checks. A directory of .tf files is a module; every
// module found is checked on its own, and module calls are checked against
// the called module's variables, outputs and provider aliases.
const fs = require('fs');
const path = require('path');
const { parse, HclError } = require('./hcl');
const { formatFindings } = require('./format');
const { references, iteratorNames, BUILTIN_ROOTS } = require('./refs');
const { loadSchema } = require('./schema');

const RESOURCE_META_ATTRS = new Set(['count', 'for_each', 'provider', 'depends_on']);
const RESOURCE_META_BLOCKS = new Set(['lifecycle', 'provisioner', 'connection']);
const MODULE_META = new Set(['source', 'version', 'providers', 'count', 'for_each', 'depends_on']);
const BUILTIN_TYPES = new Set(['terraform_data']);
const MODULE_FILES = ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'README.md'];

let hcl2json = null;
function parser() {
  if (!hcl2json) {
    try {
      hcl2json = require('@cdktf/hcl2json');
    } catch (e) {
      throw new Error(
        'tfcheck: @cdktf/hcl2json is not installed in infra/checks/node_modules: run scripts/install-npm-tools.sh (as root)',
      );
    }
  }
  return hcl2json;
}

class Checker {
  constructor(repoRoot) {
    this.repoRoot = repoRoot;
    this.schema = loadSchema();
    this.modules = new Map();
    this.findings = [];
  }

  report(file, line, kind, message) {
    this.findings.push({ file: path.relative(this.repoRoot, file), line, kind, message });
  }

  // Parses every .tf file of a directory: hcl2json first (the real HCL
  // grammar), then the local structural parser for lines.
  async loadModule(dir) {
    dir = path.resolve(dir);
    if (this.modules.has(dir)) return this.modules.get(dir);
    const mod = {
      dir,
      files: [],
      ok: true,
      variables: new Map(),
      locals: new Map(),
      outputs: new Map(),
      resources: new Map(),
      data: new Map(),
      calls: new Map(),
      providerAliases: new Set(),
      configurationAliases: new Set(),
      requiredProviders: new Set(),
      providerBlocks: [],
    };
    this.modules.set(dir, mod);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      mod.ok = false;
      mod.missing = true;
      return mod;
    }
    const names = fs.readdirSync(dir).filter((f) => f.endsWith('.tf')).sort();
    for (const name of names) {
      const file = path.join(dir, name);
      const src = fs.readFileSync(file, 'utf8');
      try {
        await parser().parse(name, src);
      } catch (e) {
        const m = /:(\d+),(\d+)(?:-[\d,]+)?: ([^\]]*)/.exec(String(e.message || e));
        this.report(file, m ? Number(m[1]) : 1, 'parse', m ? m[3].trim() : String(e.message || e));
        mod.ok = false;
        continue;
      }
      let tree;
      try {
        tree = parse(src);
      } catch (e) {
        if (!(e instanceof HclError)) throw e;
        this.report(file, e.line, 'parse', e.message);
        mod.ok = false;
        continue;
      }
      mod.files.push({ file, src, items: tree.items });
      this.index(mod, file, tree.items);
    }
    return mod;
  }

  index(mod, file, items) {
    for (const b of items) {
      if (b.kind !== 'block') continue;
      const key = b.labels.join('.');
      const at = { file, block: b };
      switch (b.type) {
        case 'variable':
          mod.variables.set(b.labels[0], at);
          break;
        case 'output':
          mod.outputs.set(b.labels[0], at);
          break;
        case 'locals':
          for (const a of b.items) if (a.kind === 'attr') mod.locals.set(a.name, { file, block: a });
          break;
        case 'resource':
          mod.resources.set(key, at);
          if (!attr(b, 'provider') && !BUILTIN_TYPES.has(b.labels[0])) mod.requiredProviders.add(b.labels[0].split('_')[0]);
          break;
        case 'data':
          mod.data.set(key, at);
          if (!attr(b, 'provider')) mod.requiredProviders.add(b.labels[0].split('_')[0]);
          break;
        case 'module':
          mod.calls.set(b.labels[0], at);
          break;
        case 'provider': {
          const alias = attr(b, 'alias');
          mod.providerAliases.add(alias ? `${b.labels[0]}.${stringValue(alias)}` : b.labels[0]);
          mod.providerBlocks.push(at);
          break;
        }
        case 'terraform':
          for (const rp of b.items.filter((i) => i.kind === 'block' && i.type === 'required_providers')) {
            for (const p of rp.items) {
              if (p.kind !== 'attr') continue;
              mod.providerAliases.add(p.name);
              mod.requiredProviders.add(p.name);
              const toks = p.expr;
              const at2 = toks.findIndex((t) => t.t === 'ident' && t.v === 'configuration_aliases');
              if (at2 < 0) continue;
              for (let k = at2; k < toks.length && !(toks[k].t === 'punct' && toks[k].v === ']'); k++) {
                if (toks[k].t === 'ident' && toks[k + 1] && toks[k + 1].v === '.' && toks[k + 2]) {
                  mod.configurationAliases.add(`${toks[k].v}.${toks[k + 2].v}`);
                  mod.providerAliases.add(`${toks[k].v}.${toks[k + 2].v}`);
                }
              }
            }
          }
          break;
        default:
      }
    }
  }

  async checkModule(dir, { isModuleDir } = {}) {
    const mod = await this.loadModule(dir);
    for (const f of fs.readdirSync(mod.dir).filter((n) => n.endsWith('.tf')).sort()) {
      const file = path.join(mod.dir, f);
      for (const x of formatFindings(fs.readFileSync(file, 'utf8'))) this.report(file, x.line, 'format', x.message);
    }
    if (isModuleDir) {
      for (const f of MODULE_FILES) {
        if (!fs.existsSync(path.join(mod.dir, f))) this.report(mod.dir, 0, 'module-layout', `module has no ${f}`);
      }
    }
    if (!mod.ok) return;
    // A module that is called (under modules/ or stacks/, or one that takes
    // configuration_aliases) gets its providers from the caller: a provider
    // block in it would pin an account and region (or clash with the mapping).
    if (isModuleDir || mod.configurationAliases.size > 0) {
      for (const { file, block } of mod.providerBlocks) {
        this.report(file, block.line, 'provider-in-module',
          `provider "${block.labels[0]}" configured inside a called module: declare configuration_aliases and let the caller pass it in providers`);
      }
    }
    for (const { file, items } of mod.files) {
      for (const b of items) {
        if (b.kind !== 'block') continue;
        switch (b.type) {
          case 'resource':
          case 'data':
            this.checkSchema(file, b);
            this.checkProviderRef(mod, file, b);
            this.checkRefs(mod, file, b.items, new Set(), b.type);
            break;
          case 'provider':
            this.checkProviderBlock(file, b);
            this.checkRefs(mod, file, b.items, new Set());
            break;
          case 'module':
            await this.checkCall(mod, file, b);
            this.checkRefs(mod, file, b.items.filter((i) => !(i.kind === 'attr' && i.name === 'providers')), new Set());
            break;
          case 'variable':
            this.checkVariable(file, b);
            this.checkRefs(mod, file, b.items.filter((i) => !(i.kind === 'attr' && i.name === 'type')), new Set());
            break;
          case 'output':
            if (!attr(b, 'description')) this.report(file, b.line, 'style', `output "${b.labels[0]}" has no description`);
            this.checkRefs(mod, file, b.items, new Set());
            break;
          case 'locals':
            this.checkRefs(mod, file, b.items, new Set());
            break;
          default:
        }
      }
    }
    this.checkTfvars(mod);
  }

  checkVariable(file, b) {
    const name = b.labels[0];
    if (!attr(b, 'type')) this.report(file, b.line, 'style', `variable "${name}" has no type`);
    if (!attr(b, 'description')) this.report(file, b.line, 'style', `variable "${name}" has no description`);
  }

  // Every argument and nested block against the provider schema; every required one set.
  checkSchema(file, b) {
    const [type, name] = b.labels;
    const kind = b.type === 'resource' ? 'resource' : 'data';
    const what = kind === 'resource' ? 'resource type' : 'data source';
    if (BUILTIN_TYPES.has(type)) return;
    const provider = type.split('_')[0];
    if (!this.schema.versions[provider]) {
      this.report(file, b.line, 'no-schema', `no provider schema for ${what} ${type} (provider "${provider}")`);
      return;
    }
    const id = this.schema[kind][type];
    if (id === undefined) {
      this.report(file, b.line, kind === 'resource' ? 'unknown-resource-type' : 'unknown-data-source',
        `${what} ${type} does not exist in ${this.schema.versions[provider]}`);
      return;
    }
    this.checkBody(file, b.items, id, `${kind === 'data' ? 'data.' : ''}${type}.${name}`, true, b.line);
  }

  checkProviderBlock(file, b) {
    const id = this.schema.provider[b.labels[0]];
    if (id === undefined) {
      this.report(file, b.line, 'no-schema', `no provider schema for provider "${b.labels[0]}"`);
      return;
    }
    this.checkBody(file, b.items, id, `provider "${b.labels[0]}"`, false, b.line, true);
  }

  checkBody(file, items, id, where, top, line, isProvider = false) {
    const body = this.schema.bodies[id];
    const seen = new Set();
    for (const it of items) {
      if (it.kind === 'attr') {
        seen.add(it.name);
        if ((top && RESOURCE_META_ATTRS.has(it.name)) || body.a[it.name] !== undefined || body.b[it.name]) continue;
        if (isProvider && it.name === 'alias') continue;
        this.report(file, it.line, 'unknown-argument', `${where}: unsupported argument "${it.name}"`);
        continue;
      }
      if (it.type === 'dynamic') {
        const blockName = it.labels[0];
        seen.add(blockName);
        const nested = body.b[blockName];
        if (!nested) {
          this.report(file, it.line, 'unknown-block', `${where}: unsupported block type "${blockName}" (dynamic)`);
          continue;
        }
        const content = it.items.find((x) => x.kind === 'block' && x.type === 'content');
        if (!content) this.report(file, it.line, 'missing-required-argument', `${where}: dynamic "${blockName}" has no content block`);
        else if (nested[0] >= 0) this.checkBody(file, content.items, nested[0], `${where}.${blockName}`, false, content.line);
        continue;
      }
      seen.add(it.type);
      if (top && RESOURCE_META_BLOCKS.has(it.type)) continue;
      const nested = body.b[it.type];
      if (!nested) {
        const hint = body.a[it.type] !== undefined ? ` ("${it.type}" is an argument: use ${it.type} = ...)` : '';
        this.report(file, it.line, 'unknown-block', `${where}: unsupported block type "${it.type}"${hint}`);
        continue;
      }
      if (nested[0] >= 0) this.checkBody(file, it.items, nested[0], `${where}.${it.type}`, false, it.line);
    }
    for (const [n, req] of Object.entries(body.a)) {
      if (req && !seen.has(n)) this.report(file, line, 'missing-required-argument', `${where}: required argument "${n}" is not set`);
    }
    for (const [n, [, req]] of Object.entries(body.b)) {
      if (req && !seen.has(n)) this.report(file, line, 'missing-required-argument', `${where}: required block "${n}" is missing`);
    }
  }

  hasAlias(mod, ref) {
    return mod.providerAliases.has(ref) || !ref.includes('.');
  }

  checkProviderRef(mod, file, b) {
    const p = attr(b, 'provider');
    if (!p) return;
    const ref = p.expr.map((t) => t.v).join('');
    if (!this.hasAlias(mod, ref)) {
      this.report(file, p.line, 'undeclared-provider-alias', `provider ${ref} is not declared in this module (provider block with alias, or configuration_aliases)`);
    }
  }

  async checkCall(mod, file, b) {
    const name = b.labels[0];
    const source = attr(b, 'source');
    const src = source ? stringValue(source) : null;
    if (!src || !(src.startsWith('./') || src.startsWith('../'))) {
      this.report(file, b.line, 'module-source', `module "${name}": only local module sources can be checked (source = ${src})`);
      return;
    }
    const child = await this.loadModule(path.join(mod.dir, src));
    if (child.missing) {
      this.report(file, source.line, 'module-source', `module "${name}": source ${src} is not a directory`);
      return;
    }
    if (!child.ok) return;
    const passed = new Set();
    for (const it of b.items) {
      if (it.kind !== 'attr') continue;
      if (MODULE_META.has(it.name)) continue;
      passed.add(it.name);
      if (!child.variables.has(it.name)) {
        this.report(file, it.line, 'undeclared-module-variable', `module "${name}": ${src} declares no variable "${it.name}"`);
      }
    }
    for (const [v, at] of child.variables) {
      if (!attr(at.block, 'default') && !passed.has(v)) {
        this.report(file, b.line, 'missing-module-variable', `module "${name}": required variable "${v}" of ${src} is not set`);
      }
    }
    // Provider mapping: keys are the child's provider names, values the caller's.
    const providers = attr(b, 'providers');
    const mapped = new Set();
    if (providers) {
      for (const { key, value, line } of providerPairs(providers.expr)) {
        mapped.add(key);
        if (!this.hasAlias(mod, value)) {
          this.report(file, line, 'undeclared-provider-alias', `module "${name}": provider ${value} is not declared in this module`);
        }
        if (key.includes('.') && !child.configurationAliases.has(key)) {
          this.report(file, line, 'undeclared-provider-alias', `module "${name}": ${src} declares no configuration alias ${key}`);
        }
        if (!key.includes('.') && !child.requiredProviders.has(key)) {
          this.report(file, line, 'undeclared-provider-alias', `module "${name}": ${src} does not use provider ${key}`);
        }
      }
      // An explicit providers map replaces implicit inheritance: the child gets
      // only what is listed, so its default configurations must be listed too.
      for (const p of child.requiredProviders) {
        if (!mapped.has(p)) {
          this.report(file, providers.line, 'missing-provider-mapping',
            `module "${name}": providers does not pass ${p}, which ${src} uses (an explicit providers map turns off inheritance)`);
        }
      }
    }
    for (const a of child.configurationAliases) {
      if (!mapped.has(a)) this.report(file, b.line, 'missing-provider-mapping', `module "${name}": provider ${a} required by ${src} is not passed in providers`);
    }
  }

  // Every var., local., module., data. and resource reference resolves.
  checkRefs(mod, file, items, scope, blockType) {
    for (const it of items) {
      if (it.kind === 'attr') {
        if (it.name === 'provider' && (blockType === 'resource' || blockType === 'data')) continue;
        if (it.name === 'ignore_changes') continue;
        const local = new Set([...scope, ...iteratorNames(it.expr)]);
        for (const r of references(it.expr)) this.resolve(mod, file, r, local);
        continue;
      }
      if (it.type === 'dynamic') {
        const iter = attr(it, 'iterator');
        const inner = new Set([...scope, iter ? iter.expr.map((t) => t.v).join('') : it.labels[0]]);
        this.checkRefs(mod, file, it.items, inner, 'dynamic');
        continue;
      }
      this.checkRefs(mod, file, it.items, scope, it.type);
    }
  }

  resolve(mod, file, r, scope) {
    const [a, b] = r.parts;
    const miss = (what) => this.report(file, r.line, 'unresolved-reference', `${what} is not declared`);
    if (scope.has(r.root) || BUILTIN_ROOTS.has(r.root)) return;
    switch (r.root) {
      case 'var':
        if (!mod.variables.has(a)) miss(`var.${a}`);
        return;
      case 'local':
        if (!mod.locals.has(a)) miss(`local.${a}`);
        return;
      case 'module': {
        const call = mod.calls.get(a);
        if (!call) return miss(`module.${a}`);
        const src = attr(call.block, 'source');
        const child = src && this.modules.get(path.resolve(mod.dir, stringValue(src)));
        if (b && child && child.ok && !child.outputs.has(b)) miss(`module.${a}.${b} (output "${b}" of ${stringValue(src)})`);
        return;
      }
      case 'data':
        if (!mod.data.has(`${a}.${b}`)) miss(`data.${a}.${b}`);
        return;
      default:
        if (/^[a-z0-9]+_[a-z0-9_]+$/.test(r.root) && a) {
          if (!mod.resources.has(`${r.root}.${a}`)) miss(`resource ${r.root}.${a}`);
          return;
        }
        miss(`${r.root}`);
    }
  }

  // Example tfvars of a root module set only declared variables.
  checkTfvars(mod) {
    for (const f of fs.readdirSync(mod.dir).filter((n) => /\.tfvars(\.example)?$/.test(n))) {
      const file = path.join(mod.dir, f);
      let tree;
      try {
        tree = parse(fs.readFileSync(file, 'utf8'));
      } catch (e) {
        this.report(file, e.line || 1, 'parse', e.message);
        continue;
      }
      for (const it of tree.items) {
        if (it.kind === 'attr' && !mod.variables.has(it.name)) {
          this.report(file, it.line, 'undeclared-variable', `${f} sets "${it.name}", which is not a declared variable`);
        }
      }
    }
  }
}

function attr(block, name) {
  return block.items.find((i) => i.kind === 'attr' && i.name === name);
}

function stringValue(a) {
  return a.expr.filter((t) => t.t === 'lit' || t.t === 'ident').map((t) => t.v).join('');
}

// { aws = aws.audit, aws.log_archive = aws.log_archive } -> pairs
function providerPairs(toks) {
  const pairs = [];
  let cur = [];
  const flush = () => {
    const eq = cur.findIndex((t) => t.t === 'punct' && t.v === '=');
    if (eq > 0) {
      pairs.push({
        key: cur.slice(0, eq).map((t) => t.v).join(''),
        value: cur.slice(eq + 1).map((t) => t.v).join(''),
        line: cur[0].line,
      });
    }
    cur = [];
  };
  for (const t of toks.slice(1, -1)) {
    if (t.t === 'nl' || (t.t === 'punct' && t.v === ',')) flush();
    else cur.push(t);
  }
  flush();
  return pairs;
}

module.exports = { Checker };
