/**
 * YAML files people edit (agentic-etl.yaml, contracts) fail with messages that point at
 * the line: `agentic-etl.yaml:4: format must be one of auto, ndjson, json, csv (got "xml")`.
 * This file parses with the yaml package's LineCounter, maps a key path to its line and
 * turns zod issues into those sentences — one helper shared by config and contract.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { AetlError, type ErrorCode } from '../util/errors.js';
import { didYouMean } from './suggest.js';

/** A parsed YAML file, kept so that problems found later can be mapped to lines. */
export interface YamlSource {
  /** The name used in messages (as the user gave it). */
  fileName: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

/** One problem with a file: where (a key path) and what (a sentence naming the key and the fix). */
export interface YamlProblem {
  path: readonly PropertyKey[];
  message: string;
}

/** How a failure is reported: the error code and the hint shown under the problems. */
export interface YamlFailure {
  code: Extract<ErrorCode, 'config_invalid' | 'contract_invalid'>;
  hint: string;
}

/** Parses `text`; syntax errors (all of them, with lines) throw `failure.code`. */
export function parseYamlSource(text: string, fileName: string, failure: YamlFailure): { source: YamlSource; value: unknown } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((error) => {
      const line = error.linePos?.[0].line ?? 1;
      // The library appends " at line N, column M:" and a code excerpt; we give the line ourselves.
      const first = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
      return `${fileName}:${line}: YAML syntax error: ${first}`;
    });
    throw new AetlError(failure.code, joinProblems(fileName, lines), {
      hint: 'fix the YAML syntax at the line named above (indentation, an unclosed bracket or quote, a key given twice)',
    });
  }
  return { source: { fileName, doc, lineCounter }, value: doc.toJS() };
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function lineAt(source: YamlSource, node: { range?: [number, number, number] | null } | null | undefined): number | undefined {
  const start = node?.range?.[0];
  return start === undefined ? undefined : source.lineCounter.linePos(start).line;
}

/**
 * The line of the deepest key on `path` that exists in the file: the key itself when it is
 * there, its parent's line when it is missing (a required key), line 1 for the root.
 */
export function lineOfPath(source: YamlSource, path: readonly PropertyKey[]): number {
  let node: unknown = source.doc.contents;
  let line = lineAt(source, source.doc.contents) ?? 1;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(segment));
      if (pair === undefined) break;
      line = lineAt(source, pair.key as Node) ?? line;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (item === undefined) break;
      line = lineAt(source, item) ?? line;
      node = item;
    } else {
      break;
    }
  }
  return line;
}

/** `columns.user_id.type`, `primary_key[0]`; 'the file' for the root. */
export function keyLabel(path: readonly PropertyKey[]): string {
  let label = '';
  for (const segment of path) {
    if (typeof segment === 'number') {
      label += `[${segment}]`;
      continue;
    }
    const name = String(segment);
    // Quote names a reader could not tell apart from the path: empty, dotted, padded.
    const shown = name === '' || name.includes('.') || name.trim() !== name ? JSON.stringify(name) : name;
    label += `${label === '' ? '' : '.'}${shown}`;
  }
  return label === '' ? 'the file' : label;
}

/** A value as shown in messages: `"xml"`, `42`, `a list`. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const EXPECTED_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list',
};

type Issue = z.core.$ZodIssue;

function issueProblems(issue: Issue, knownKeys: (path: readonly PropertyKey[]) => readonly string[]): YamlProblem[] {
  const label = keyLabel(issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return [{ path: issue.path, message: `${label} is required` }];
      return [{ path: issue.path, message: `${label} must be ${EXPECTED_WORDS[issue.expected] ?? issue.expected} (got ${showValue(issue.input)})` }];
    case 'invalid_value': {
      const got = showValue(issue.input);
      const options = issue.values.map(String);
      const hint = typeof issue.input === 'string' ? didYouMean(issue.input, options) : '';
      return [{ path: issue.path, message: `${label} must be one of ${options.join(', ')} (got ${got})${hint}` }];
    }
    case 'unrecognized_keys': {
      const known = knownKeys(issue.path);
      const where = issue.path.length === 0 ? '' : ` in ${label}`;
      return issue.keys.map((key) => {
        const suggestion = didYouMean(key, known);
        const fix = suggestion !== '' ? suggestion : ` (valid keys: ${known.join(', ')})`;
        return { path: [...issue.path, key], message: `unknown key \`${key}\`${where}${fix}` };
      });
    }
    case 'too_small':
      if (issue.origin === 'string') return [{ path: issue.path, message: `${label} must not be empty` }];
      if (issue.origin === 'array') return [{ path: issue.path, message: `${label} must list at least ${issue.minimum}` }];
      return [{ path: issue.path, message: `${label} must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum} (got ${showValue(issue.input)})` }];
    case 'too_big':
      return [{ path: issue.path, message: `${label} must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum} (got ${showValue(issue.input)})` }];
    case 'custom':
      // Our refinements write the sentence's predicate: "has decimal precision 40; …".
      return [{ path: issue.path, message: `${label} ${issue.message}` }];
    case 'invalid_format':
    case 'not_multiple_of':
    case 'invalid_union':
    case 'invalid_key':
    case 'invalid_element':
      return [{ path: issue.path, message: `${label}: ${issue.message}` }];
    default: {
      const unhandled: never = issue;
      return [{ path: [], message: String(unhandled) }];
    }
  }
}

/** Zod's issues as readable problems; `knownKeys` gives the valid keys at a path, for suggestions. */
export function zodProblems(issues: readonly Issue[], knownKeys: (path: readonly PropertyKey[]) => readonly string[]): YamlProblem[] {
  return issues.flatMap((issue) => issueProblems(issue, knownKeys));
}

function joinProblems(fileName: string, lines: readonly string[]): string {
  if (lines.length === 1) return lines[0] ?? fileName;
  return `${fileName} has ${lines.length} problems:\n${lines.map((line) => `  ${line}`).join('\n')}`;
}

/** One error listing every problem as `file:line: message`, in file order. */
export function problemsError(source: YamlSource, problems: readonly YamlProblem[], failure: YamlFailure): AetlError {
  const located = problems
    .map((problem) => ({ line: lineOfPath(source, problem.path), message: problem.message }))
    .sort((a, b) => a.line - b.line);
  const lines = located.map((problem) => `${source.fileName}:${problem.line}: ${problem.message}`);
  return new AetlError(failure.code, joinProblems(source.fileName, lines), { hint: failure.hint });
}
