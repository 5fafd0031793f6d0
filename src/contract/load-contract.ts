/**
 * Loads a data contract from its YAML form. Every problem is reported at once, each as
 * `file:line: key …` with the fix, so a contract can be corrected in one pass.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isScalar } from 'yaml';
import { parseYamlSource, problemsError, zodProblems, type YamlFailure, type YamlSource } from '../config/yaml-errors.js';
import { AetlError } from '../util/errors.js';
import { contractSchema, contractKeysAt } from './schema.js';
import { contractHash } from './serialize.js';
import type { Contract } from './types.js';

export interface LoadedContract {
  contract: Contract;
  /** The file's text as read, for the version history. */
  text: string;
  /** sha256 of the canonical contract JSON: unchanged by whitespace or comment edits. */
  hash: string;
}

const FAILURE: YamlFailure = {
  code: 'contract_invalid',
  hint: 'fix the contract keys named above (see DESIGN.md, "Data contract", for the form)',
};

/** Column order as written: JS objects move integer-like names ("2020") first, the document does not. */
function columnOrder(source: YamlSource): Map<string, number> {
  const order = new Map<string, number>();
  const columns = source.doc.get('columns', true);
  if (isMap(columns)) {
    columns.items.forEach((pair, index) => order.set(String(isScalar(pair.key) ? pair.key.value : pair.key).trim(), index));
  }
  return order;
}

/** Validates contract text; `fileName` is used in messages. Throws `contract_invalid`. */
export function parseContract(text: string, fileName: string): Contract {
  const { source, value } = parseYamlSource(text, fileName, FAILURE);
  const result = contractSchema.safeParse(value ?? {}, { reportInput: true });
  if (!result.success) throw problemsError(source, zodProblems(result.error.issues, contractKeysAt), FAILURE);
  const order = columnOrder(source);
  result.data.columns.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  return result.data;
}

/** Reads and validates a contract file. */
export async function loadContract(path: string): Promise<LoadedContract> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new AetlError(missing ? 'contract_not_found' : 'contract_invalid', `contract file ${path} ${missing ? 'not found' : `could not be read: ${(error as Error).message}`}`, {
      hint: missing ? 'check `contract:` in agentic-etl.yaml, or run `agentic-etl init --from <folder>` to infer one' : 'check that the path is a readable file',
      cause: error,
    });
  }
  const contract = parseContract(text, path);
  return { contract, text, hash: contractHash(contract) };
}
