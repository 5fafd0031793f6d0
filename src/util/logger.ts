/**
 * Structured logs for machines (pino JSON lines) and readable lines for people: one
 * interface, chosen once per command.
 */
import pc from 'picocolors';
import { pino } from 'pino';

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(json: boolean): Logger {
  if (json) {
    const log = pino({ base: undefined }, pino.destination({ fd: 1, sync: true }));
    return {
      info: (message, fields) => log.info(fields ?? {}, message),
      warn: (message, fields) => log.warn(fields ?? {}, message),
      error: (message, fields) => log.error(fields ?? {}, message),
    };
  }
  const time = () => pc.dim(new Date().toISOString().slice(11, 19));
  return {
    info: (message) => process.stdout.write(`${time()} ${message}\n`),
    warn: (message) => process.stderr.write(`${time()} ${pc.yellow(message)}\n`),
    error: (message) => process.stderr.write(`${time()} ${pc.red(message)}\n`),
  };
}
