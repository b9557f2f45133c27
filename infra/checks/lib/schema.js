'use strict';
// Loads the compact provider schema built by build-schema.js
// (scripts/install-npm-tools.sh writes it to infra/checks/.cache/schema.json).
const fs = require('fs');
const path = require('path');

const SCHEMA = path.join(__dirname, '..', '.cache', 'schema.json');

function loadSchema(file = SCHEMA) {
  if (!fs.existsSync(file)) {
    throw new Error(`tfcheck: provider schema ${file} is missing: run scripts/install-npm-tools.sh (as root)`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

module.exports = { loadSchema, SCHEMA };
