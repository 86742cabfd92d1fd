import { FILE_SIZE_CAP, formatBytes } from '../core/files.js';
import type { FilesConfig } from './config-schema.js';

const SIZE = /^([1-9]\d*)\s*(KB|MB)$/i;
const UNITS: Record<string, number> = { kb: 1024, mb: 1024 * 1024 };

/** `maxSize` as written in baton.yaml: a whole number of bytes, or of KB or MB (1024-based). Undefined when it is neither. */
export function parseSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  const m = SIZE.exec(value.trim());
  return m ? Number(m[1]) * UNITS[m[2]!.toLowerCase()]! : undefined;
}

/** The account's `files:` block, or the top-level one for accounts without their own; call after filesProblems found none. */
export function filesSetting(own: FilesConfig | undefined, global: FilesConfig | undefined): { maxBytes: number } | undefined {
  const size = own?.maxSize ?? global?.maxSize;
  return size === undefined ? undefined : { maxBytes: parseSize(size)! };
}

export function filesProblems(cfg: FilesConfig | undefined, at: string): string[] {
  if (cfg?.maxSize === undefined) return [];
  const n = parseSize(cfg.maxSize);
  if (n === undefined) return [`${at}.maxSize: "${cfg.maxSize}" is not a size; write bytes, or a whole number of KB or MB (512KB, 10MB)`];
  if (n > FILE_SIZE_CAP) return [`${at}.maxSize: ${formatBytes(n)} is more than Baton takes in one file (${formatBytes(FILE_SIZE_CAP)})`];
  return [];
}
