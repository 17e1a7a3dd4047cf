/**
 * The module rules of docs/architecture.md, checked on the source with the TypeScript compiler
 * API (typescript is already a dev dependency):
 *
 *  - boundary: a file imports another module's files only through that module's `index.ts`.
 *    A module is a folder under src/ (`domains/<name>` for the business domains); files directly
 *    in src/ (the module contract, the clock, start-up errors, the composition root) belong to no
 *    module and may be imported by any.
 *  - cycle: no cycle between modules through imports that exist at run time (`import type` is
 *    erased by type stripping and does not count).
 *  - sql: SQL statements only in a store (`store.ts`, `<name>-store.ts`, or a file under a
 *    `store/` folder) and in the database module (`db/`: connections, migrations, claims).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface Violation {
  rule: 'boundary' | 'cycle' | 'sql';
  /** Stable, readable description (files relative to the source root). */
  key: string;
}

interface ImportEdge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'migrations' ? [] : sourceFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The module a file (relative to the source root, `/`-separated) belongs to; '' for the root. */
export function moduleOf(relative: string): string {
  const parts = relative.split('/');
  if (parts.length === 1) return '';
  if (parts[0] === 'domains' && parts.length > 2) return `domains/${parts[1]}`;
  return parts[0]!;
}

function isStore(relative: string): boolean {
  const name = path.posix.basename(relative);
  return name === 'store.ts' || name.endsWith('-store.ts') || relative.split('/').includes('store') || moduleOf(relative) === 'db';
}

/** Text that is an SQL statement: a keyword that starts one, then what such a statement has. */
const SQL = /^\s*(?:SELECT\s[\s\S]*\bFROM\b|SELECT\s+(?:1|pg_|set_config|count)|INSERT\s+INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|WITH\s+\w+\s+AS\s*\(|CREATE\s+(?:TABLE|INDEX|POLICY|FUNCTION)\b|ALTER\s+TABLE\b)/i;

function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((span) => ' x ' + span.literal.text).join('');
  return undefined;
}

interface Scan {
  files: string[];
  edges: ImportEdge[];
  sql: { file: string; line: number; text: string }[];
}

function scan(root: string): Scan {
  const files = sourceFiles(root).map((file) => path.relative(root, file).split(path.sep).join('/'));
  const edges: ImportEdge[] = [];
  const sql: Scan['sql'] = [];
  for (const file of files) {
    const text = readFileSync(path.join(root, file), 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const addEdge = (specifier: string, typeOnly: boolean) => {
      if (!specifier.startsWith('.')) return;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      if (target.startsWith('..')) return;
      edges.push({ from: file, to: target, typeOnly });
    };
    const visit = (node: ts.Node) => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const clause = node.importClause;
        const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
        addEdge(node.moduleSpecifier.text, typeOnly);
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        const typeOnly = node.isTypeOnly || (!!node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly));
        addEdge(node.moduleSpecifier.text, typeOnly);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
        addEdge(node.arguments[0].text, false);
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        addEdge(node.argument.literal.text, true);
      } else {
        const literal = literalText(node);
        if (literal !== undefined && SQL.test(literal)) {
          sql.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: literal.trim().split(/\s+/).slice(0, 4).join(' ') });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { files, edges, sql };
}

/** Every violation of the rules in the source tree at `root` (e.g. server/src). */
export function architectureViolations(root: string): Violation[] {
  const { edges, sql } = scan(root);
  const violations: Violation[] = [];
  for (const edge of edges) {
    const from = moduleOf(edge.from);
    const to = moduleOf(edge.to);
    if (to === '' || from === to) continue;
    if (edge.to !== `${to}/index.ts`) violations.push({ rule: 'boundary', key: `${edge.from} -> ${edge.to}` });
  }
  // Cycles between modules, through imports that exist at run time.
  const graph = new Map<string, Set<string>>();
  for (const edge of edges) {
    const from = moduleOf(edge.from);
    const to = moduleOf(edge.to);
    if (edge.typeOnly || from === '' || to === '' || from === to) continue;
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
  }
  for (const cycle of elementaryCycles(graph)) violations.push({ rule: 'cycle', key: cycle.join(' -> ') });
  for (const found of sql) {
    if (!isStore(found.file)) violations.push({ rule: 'sql', key: `${found.file}: ${found.text}` });
  }
  // One entry per key (the same import twice, the same statement start twice in a file).
  const seen = new Set<string>();
  return violations.filter((v) => {
    const id = `${v.rule} ${v.key}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * The cycles of a small graph, each once, written from its smallest module name: one
 * shortest cycle through every edge that is on one (enough to name every knot without listing
 * the exponentially many elementary cycles).
 */
function elementaryCycles(graph: Map<string, Set<string>>): string[][] {
  const cycles = new Map<string, string[]>();
  const shortestPath = (from: string, to: string): string[] | undefined => {
    const previous = new Map<string, string>([[from, '']]);
    const queue = [from];
    while (queue.length > 0) {
      const node = queue.shift()!;
      if (node === to) {
        const route = [to];
        while (route[0] !== from) route.unshift(previous.get(route[0]!)!);
        return route;
      }
      for (const next of graph.get(node) ?? []) {
        if (!previous.has(next)) {
          previous.set(next, node);
          queue.push(next);
        }
      }
    }
    return undefined;
  };
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const back = shortestPath(to, from);
      if (!back) continue;
      const cycle = [from, ...back.slice(0, -1)];
      const start = cycle.indexOf([...cycle].sort()[0]!);
      const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
      const key = rotated.join(' -> ');
      cycles.set(key, [...rotated, rotated[0]!]);
    }
  }
  return [...cycles.values()];
}
