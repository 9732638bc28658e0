import fs from 'node:fs';
import path from 'node:path';
import { StewardError } from '../core/errors.js';

/** One numbered migration on disk (golang-migrate layout: NNN_name.up.sql / NNN_name.down.sql). */
export interface MigrationFile {
  version: number;
  name: string;
  /** File names, relative to the migrations directory. */
  up: string;
  down: string | null;
}

const FILE_NAME = /^(\d{3,})_([a-z0-9][a-z0-9_]*)\.(up|down)\.sql$/;

const dirHint =
  'set STEWARD_MIGRATIONS_DIR, or rebuild/reinstall Steward (the build copies the .sql files into dist)';

/** Lists migrations sorted by version; rejects names that do not parse so a typo is never skipped silently. */
export function listMigrations(dir: string): MigrationFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    throw new StewardError('E_MIGRATION', `cannot read migrations directory ${dir}`, {
      hint: dirHint,
      cause: err,
    });
  }
  const byVersion = new Map<number, { name: string; up?: string; down?: string }>();
  for (const file of names.filter((n) => n.endsWith('.sql')).sort()) {
    const match = FILE_NAME.exec(file);
    if (!match) {
      throw new StewardError('E_MIGRATION', `bad migration file name: ${file}`, {
        hint: 'expected NNN_name.up.sql or NNN_name.down.sql (lower-case name, at least 3 digits)',
      });
    }
    const [, digits = '', name = '', direction] = match;
    const version = Number(digits);
    if (version < 1) {
      throw new StewardError('E_MIGRATION', `bad migration file name: ${file}`, {
        hint: 'versions start at 001; 0 means "no migration applied"',
      });
    }
    const entry = byVersion.get(version) ?? { name };
    if (entry.name !== name || (direction === 'up' ? entry.up : entry.down)) {
      throw new StewardError('E_MIGRATION', `two migration files share version ${version}: ${file}`, {
        hint: 'every version number must be used by exactly one migration',
      });
    }
    if (direction === 'up') entry.up = file;
    else entry.down = file;
    byVersion.set(version, entry);
  }
  return [...byVersion.entries()]
    .sort(([a], [b]) => a - b)
    .map(([version, entry]) => {
      if (!entry.up) {
        throw new StewardError('E_MIGRATION', `migration ${entry.down} has no matching .up.sql file`);
      }
      return { version, name: entry.name, up: entry.up, down: entry.down ?? null };
    });
}

/** Reads one migration's SQL and refuses transaction control in it: the runner owns the one transaction. */
export function readMigrationSql(dir: string, file: string): string {
  let sql: string;
  try {
    sql = fs.readFileSync(path.join(dir, file), 'utf8');
  } catch (err) {
    throw new StewardError('E_MIGRATION', `cannot read migration ${file}`, { hint: dirHint, cause: err });
  }
  const statement = findTransactionControl(sql);
  if (statement) {
    throw new StewardError('E_MIGRATION', `migration ${file} contains transaction control (${statement})`, {
      hint: 'remove BEGIN/COMMIT/ROLLBACK/SAVEPOINT: all pending migrations run in one transaction',
    });
  }
  return sql;
}

const CONTROL = new Set(['BEGIN', 'COMMIT', 'END', 'ROLLBACK', 'SAVEPOINT', 'RELEASE']);

/**
 * A COMMIT inside a migration would end the runner's transaction half-way and break
 * all-or-nothing. Splitting on ';' is enough once comments and literals are blanked;
 * trigger bodies (BEGIN … END) are skipped as a whole.
 */
function findTransactionControl(sql: string): string | null {
  const blanked = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"(?:[^"]|"")*"/g, ' ');
  let inTrigger = false;
  for (const raw of blanked.split(';')) {
    const statement = raw.trim().replace(/\s+/g, ' ').toUpperCase();
    if (!statement) continue;
    if (inTrigger) {
      if (statement === 'END') inTrigger = false;
      continue;
    }
    if (/^CREATE (TEMP |TEMPORARY )?TRIGGER\b/.test(statement)) {
      inTrigger = true;
      continue;
    }
    const first = statement.split(' ')[0] ?? '';
    if (CONTROL.has(first)) return statement;
  }
  return null;
}
