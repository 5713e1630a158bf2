// What consumers of each format do with it, for the tests: ajv against the JSON Schema that
// `vmsnap schema` prints, fast-xml-parser as a CI server reads JUnit, and a strict reader of the
// Prometheus text exposition format as node_exporter's textfile collector (expfmt) applies it.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { schemaCommand } from '../../src/cli/schema-command.js';
import type { CliIo } from '../../src/cli/io.js';

/** The schema exactly as `vmsnap schema` prints it. */
export function printedSchema(): object {
  let out = '';
  const io: CliIo = { stdout: { write: (s) => void (out += s) }, stderr: { write: () => {} }, env: {}, stdoutIsTTY: false, interrupt: new AbortController().signal };
  schemaCommand(io);
  return JSON.parse(out) as object;
}

let compiled: ReturnType<Ajv2020['compile']> | null = null;

/** Validates a parsed JSON report against the printed schema; returns ajv's errors as text, or null. */
export function schemaErrors(data: unknown): string | null {
  if (!compiled) compiled = new Ajv2020({ allErrors: true, strict: false }).compile(printedSchema());
  if (compiled(data)) return null;
  return (compiled.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}

export interface JunitTestcase {
  name: string;
  classname: string;
  time: string;
  failure: Array<{ message: string; type: string; '#text'?: string }>;
  error: Array<{ message: string; type: string; '#text'?: string }>;
  skipped: unknown[];
  'system-out': string[];
}
export interface JunitSuite {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
  time: string;
  timestamp: string;
  testcase: JunitTestcase[];
}
export interface JunitDoc {
  testsuites: { name: string; tests: string; failures: string; errors: string; time: string; testsuite: JunitSuite[] };
}

/** Well-formedness first (XMLValidator), then the tree a CI server walks. */
export function parseJunit(xml: string): JunitDoc {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`JUnit XML is not well-formed: ${JSON.stringify(valid.err)}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    // numeric character references (&#10;) are decoded, as any XML parser a CI server uses does
    htmlEntities: true,
    isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ['testsuite', 'testcase', 'failure', 'error', 'skipped', 'system-out', 'property'].includes(name),
  });
  const doc = parser.parse(xml) as JunitDoc;
  for (const s of doc.testsuites.testsuite) {
    s.testcase ??= [];
    for (const t of s.testcase) {
      t.failure ??= [];
      t.error ??= [];
      t.skipped ??= [];
      t['system-out'] ??= [];
    }
  }
  return doc;
}

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface PromFamily {
  name: string;
  help: string;
  type: string;
  samples: PromSample[];
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function unescapeHelp(s: string, lineNo: number): string {
  return s.replace(/\\(.)/g, (m, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new Error(`line ${lineNo}: invalid escape ${m} in HELP`);
  });
}

/**
 * Parses the Prometheus text format strictly, throwing at the first problem: name syntax, label
 * syntax and escapes, values, no timestamps (the textfile collector rejects them), one HELP and
 * one TYPE per family before its samples, a family's samples together, no duplicate series, and
 * a final newline. Returns the families in order.
 */
export function parsePrometheusText(text: string): PromFamily[] {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, PromFamily>();
  const order: PromFamily[] = [];
  const series = new Set<string>();
  let current: PromFamily | null = null;
  const lines = text.slice(0, -1).split('\n');
  const family = (name: string, lineNo: number): PromFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, help: '', type: '', samples: [] };
      families.set(name, f);
      order.push(f);
    } else if (f !== current) throw new Error(`line ${lineNo}: family ${name} appears again after another family`);
    current = f;
    return f;
  };
  lines.forEach((line, i) => {
    const n = i + 1;
    if (line === '') throw new Error(`line ${n}: empty line`);
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (!m) throw new Error(`line ${n}: comment that is neither HELP nor TYPE: ${line}`);
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!METRIC.test(name)) throw new Error(`line ${n}: invalid metric name ${name}`);
      const f = family(name, n);
      if (kind === 'HELP') {
        if (f.help) throw new Error(`line ${n}: second HELP for ${name}`);
        if (f.samples.length) throw new Error(`line ${n}: HELP for ${name} after its samples`);
        f.help = unescapeHelp(rest, n);
        if (!f.help) throw new Error(`line ${n}: empty HELP for ${name}`);
      } else {
        if (f.type) throw new Error(`line ${n}: second TYPE for ${name}`);
        if (f.samples.length) throw new Error(`line ${n}: TYPE for ${name} after its samples`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`line ${n}: unknown TYPE ${rest}`);
        f.type = rest;
      }
      return;
    }
    const nm = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (!nm) throw new Error(`line ${n}: sample without a metric name: ${line}`);
    const name = nm[1]!;
    let pos = name.length;
    const labels: Record<string, string> = {};
    if (line[pos] === '{') {
      pos += 1;
      while (line[pos] !== '}') {
        const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(pos));
        if (!lm) throw new Error(`line ${n}: bad label at column ${pos + 1}: ${line}`);
        const lname = lm[1]!;
        if (!LABEL.test(lname) || lname.startsWith('__')) throw new Error(`line ${n}: invalid label name ${lname}`);
        if (lname in labels) throw new Error(`line ${n}: label ${lname} twice`);
        pos += lm[0].length;
        let value = '';
        for (;;) {
          const c = line[pos];
          if (c === undefined) throw new Error(`line ${n}: unterminated label value`);
          pos += 1;
          if (c === '"') break;
          if (c === '\\') {
            const e = line[pos];
            pos += 1;
            if (e === '\\') value += '\\';
            else if (e === '"') value += '"';
            else if (e === 'n') value += '\n';
            else throw new Error(`line ${n}: invalid escape \\${e} in label value`);
          } else value += c;
        }
        labels[lname] = value;
        if (line[pos] === ',') pos += 1;
        else if (line[pos] !== '}') throw new Error(`line ${n}: expected , or } at column ${pos + 1}`);
      }
      pos += 1;
    }
    const rest = line.slice(pos);
    const vm = /^ (\S+)$/.exec(rest);
    if (!vm) throw new Error(`line ${n}: expected one space and a value (and no timestamp), got ${JSON.stringify(rest)}`);
    const raw = vm[1]!;
    if (!/^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|NaN|[+-]Inf)$/.test(raw)) throw new Error(`line ${n}: invalid value ${raw}`);
    const f = family(name, n);
    if (!f.help || !f.type) throw new Error(`line ${n}: sample of ${name} before its HELP and TYPE`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) throw new Error(`line ${n}: duplicate series ${key}`);
    series.add(key);
    f.samples.push({ name, labels, value: Number(raw.replace('Inf', 'Infinity')) });
  });
  for (const f of order) if (!f.help || !f.type) throw new Error(`family ${f.name} lacks HELP or TYPE`);
  return order;
}
