import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RunItem } from '../../lib/store/items';

// The Athena SQL (infra/athena/*.sql) against the item schema: every attribute the DDL declares and every
// `item.<attribute>.<type>` the views read must exist on RunItem with a matching DynamoDB type, and the files must
// be well-formed (balanced parentheses, statements ended by `;`, every relation read is created first).

const DIR = join(__dirname, '..', '..', 'infra', 'athena');
const files = readdirSync(DIR).filter((f) => f.endsWith('.sql')).sort();
const sources = files.map((name) => ({ name, text: readFileSync(join(DIR, name), 'utf8') }));

/** SQL with comments removed and string literals blanked (so their content cannot confuse the checks). */
function code(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/'(?:[^']|'')*'/g, "''");
}

/** The DynamoDB type letter a zod field of RunItem is exported as. */
function dynamoTypeOf(schema: z.ZodType): string {
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  if (inner instanceof z.ZodString || inner instanceof z.ZodEnum || inner instanceof z.ZodLiteral) return 'S';
  if (inner instanceof z.ZodNumber) return 'N';
  if (inner instanceof z.ZodArray) return 'L';
  if (inner instanceof z.ZodBoolean) return 'BOOL';
  throw new Error('unmapped zod type');
}
const runFields = RunItem.shape as Record<string, z.ZodType>;

/** `name: struct<T: ...>` fields of the DDL's `item struct<...>`. */
function ddlFields(): Map<string, string> {
  const ddl = code(sources.find((s) => /CREATE EXTERNAL TABLE/i.test(s.text))?.text ?? '');
  const fields = new Map<string, string>();
  for (const m of ddl.matchAll(/^\s*`?(\w+)`?\s*:\s*struct<\s*(\w+)\s*:/gm)) fields.set(m[1] ?? '', m[2] ?? '');
  return fields;
}

describe('Athena SQL', () => {
  it('has the table, view and query files', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it('declares only RunItem attributes, each with its DynamoDB type', () => {
    const fields = ddlFields();
    expect(fields.size).toBeGreaterThan(10);
    for (const [name, type] of fields) {
      expect(runFields, `DDL attribute ${name}`).toHaveProperty(name);
      expect(type, `DDL type of ${name}`).toBe(dynamoTypeOf(runFields[name] as z.ZodType));
    }
    // The attributes the statistics need are all there.
    for (const needed of ['kind', 'level', 'source', 'type', 'status', 'fleetId', 'clusterId', 'durationMs', 'belongsAt']) {
      expect(fields.has(needed), needed).toBe(true);
    }
  });

  it('reads only declared attributes, with their declared type', () => {
    const fields = ddlFields();
    let references = 0;
    for (const { name, text } of sources) {
      for (const m of code(text).matchAll(/\bitem\.("?)(\w+)\1\.(\w+)/gi)) {
        references += 1;
        const [attr = '', type = ''] = [m[2], m[3]];
        expect(fields.get(attr), `${name}: item.${attr} is not declared in the DDL`).toBeDefined();
        expect(runFields, `${name}: item.${attr} is not a RunItem attribute`).toHaveProperty(attr);
        expect(type.toUpperCase(), `${name}: item.${attr}.${type}`).toBe(fields.get(attr));
      }
    }
    expect(references).toBeGreaterThan(10);
  });

  it('filters runs with the literal kinds, levels and statuses of the item schema', () => {
    const all = sources.map((s) => s.text).join('\n');
    const kinds = [...all.matchAll(/kind\.S\s*=\s*'(\w+)'/gi)].map((m) => m[1]);
    expect(kinds).toEqual(['run']);
    for (const m of all.matchAll(/level\s*=\s*'(\w+)'/g)) expect(RunItem.shape.level.options).toContain(m[1]);
    for (const m of all.matchAll(/status(?:\.S)?\s*=\s*'(\w+)'/gi)) expect(RunItem.shape.status.options).toContain(m[1]);
  });

  it('is well-formed: balanced parentheses and angle brackets, every statement ends with ;', () => {
    for (const { name, text } of sources) {
      const sql = code(text);
      let depth = 0;
      for (const ch of sql) {
        if (ch === '(') depth += 1;
        if (ch === ')') depth -= 1;
        expect(depth, `${name}: ')' without '('`).toBeGreaterThanOrEqual(0);
      }
      expect(depth, `${name}: unclosed '('`).toBe(0);
      const angles = (sql.match(/</g) ?? []).length - (sql.match(/>/g) ?? []).length;
      if (/CREATE EXTERNAL TABLE/i.test(sql)) expect(angles, `${name}: struct<...> brackets`).toBe(0);
      const statements = sql.split(';');
      expect(statements.at(-1)?.trim(), `${name}: text after the last ';'`).toBe('');
      for (const statement of statements.slice(0, -1)) {
        expect(statement.trim(), `${name}: empty statement`).not.toBe('');
        expect(statement.trim(), `${name}: statement kind`).toMatch(/^(CREATE (EXTERNAL TABLE|OR REPLACE VIEW)|SELECT|WITH)\b/i);
      }
    }
  });

  it('reads only relations created before (in file order)', () => {
    const created = new Set<string>();
    for (const { name, text } of sources) {
      for (const statement of code(text).split(';')) {
        for (const m of statement.matchAll(/\b(?:FROM|JOIN)\s+(\w+)/gi)) {
          expect(created.has((m[1] ?? '').toLowerCase()), `${name}: reads ${m[1]} before it is created`).toBe(true);
        }
        const made = /CREATE\s+(?:EXTERNAL\s+TABLE(?:\s+IF\s+NOT\s+EXISTS)?|OR\s+REPLACE\s+VIEW)\s+(\w+)/i.exec(statement);
        if (made?.[1]) created.add(made[1].toLowerCase());
      }
    }
    expect([...created]).toEqual(['ucs_history_export', 'ucs_terminal_runs', 'ucs_job_runs', 'ucs_step_runs']);
  });

  it('queries durations with approx_percentile and failure rates by type, fleet, cluster and day', () => {
    const durations = code(sources.find((s) => s.name.includes('durations'))?.text ?? '');
    const failures = code(sources.find((s) => s.name.includes('failure'))?.text ?? '');
    expect(durations).toMatch(/approx_percentile\(duration_ms, 0\.99\)/);
    for (const sql of [durations, failures]) {
      for (const column of ['type_key', 'fleet_id', 'cluster_id', 'belongs_day']) expect(sql).toMatch(new RegExp(`GROUP BY ${column}\\b`));
    }
  });
});
