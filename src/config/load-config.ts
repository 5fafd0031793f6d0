/**
 * Loads `agentic-etl.yaml`: parse, validate, apply defaults, resolve relative paths against
 * the config file's folder (so the pipeline behaves the same from any working directory).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AetlError } from '../util/errors.js';
import { S3_SETTINGS_KEYS } from './s3-schema.js';
import { CONFIG_KEYS, configSchema, DEFAULT_CONFIG_FILE, type PipelineConfig } from './schema.js';
import { parseYamlSource, problemsError, zodProblems, type YamlFailure } from './yaml-errors.js';

export interface LoadedConfig {
  /** The config with defaults applied and `source`, `contract` and a DuckDB file made absolute. */
  config: PipelineConfig;
  /** The config with defaults applied, paths as written in the file. */
  written: PipelineConfig;
  /** `config.source`, resolved: an absolute folder path, or a URL such as `s3://…` as written. */
  sourcePath: string;
  /** `config.contract`, resolved: the contract file's absolute path. */
  contractPath: string;
  /** The folder relative paths were resolved against: the config file's folder. */
  baseDir: string;
  /** The config file's absolute path. */
  file: string;
}

const FAILURE: YamlFailure = {
  code: 'config_invalid',
  hint: 'fix the keys named above; `agentic-etl init` writes a commented example of every key',
};

/** `s3://bucket/x`, `file:///x`: a URL, left to its source to interpret. */
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

function resolvePath(baseDir: string, value: string): string {
  return URL_LIKE.test(value) ? value : path.resolve(baseDir, value);
}

/** `duckdb:<file>` with the file made absolute; `duckdb::memory:` and other engines unchanged. */
export function resolveWarehouse(baseDir: string, warehouse: string): string {
  if (!warehouse.startsWith('duckdb:')) return warehouse;
  const file = warehouse.slice('duckdb:'.length);
  if (file === ':memory:' || file.startsWith('//')) return warehouse;
  return `duckdb:${path.resolve(baseDir, file)}`;
}

/** Validates config text; `fileName` is used in messages, `baseDir` resolves relative paths. */
export function parseConfig(text: string, fileName: string, baseDir: string): Omit<LoadedConfig, 'file'> {
  const { source, value } = parseYamlSource(text, fileName, FAILURE);
  const result = configSchema.safeParse(value ?? {}, { reportInput: true });
  if (!result.success) {
    throw problemsError(source, zodProblems(result.error.issues, (at) => (at[0] === 's3' ? S3_SETTINGS_KEYS : CONFIG_KEYS)), FAILURE);
  }
  // `policy:` with nothing under it parses to an explicit undefined: leave the key out instead.
  const written: PipelineConfig = { ...result.data };
  if (written.policy === undefined) delete written.policy;
  if (written.controller === undefined) delete written.controller;
  if (written.s3 === undefined) delete written.s3;
  const config: PipelineConfig = {
    ...written,
    source: resolvePath(baseDir, written.source),
    contract: resolvePath(baseDir, written.contract),
    warehouse: resolveWarehouse(baseDir, written.warehouse),
  };
  return { config, written, baseDir, sourcePath: config.source, contractPath: config.contract };
}

/** Reads and validates the config file (default `./agentic-etl.yaml`). */
export async function loadConfig(configPath: string = DEFAULT_CONFIG_FILE): Promise<LoadedConfig> {
  const file = path.resolve(configPath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new AetlError('config_not_found', `config file ${configPath} not found (looked at ${file})`, {
        hint: 'run `agentic-etl init` in the pipeline folder to create one',
        cause: error,
      });
    }
    throw new AetlError('config_invalid', `config file ${configPath} could not be read: ${(error as Error).message}`, {
      hint: 'check that the path is a readable file',
      cause: error,
    });
  }
  return { ...parseConfig(text, configPath, path.dirname(file)), file };
}
