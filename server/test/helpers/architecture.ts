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
 *  - route-types: a route's request types come from its schemas (TypeBox schemas under the
 *    TypeBox type provider), never written by hand beside them: no `Querystring`, `Params`,
 *    `Body` or `Headers` generic (`app.get<{ Querystring: … }>`, `FastifyRequest<{ Body: … }>`),
 *    no type arguments on a route shorthand at all (`app.post<Generic>('/path', …)`), and no
 *    object type handed to `Type.Unsafe<{ … }>` (a schema that says one thing, typed another).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface Violation {
  rule: 'boundary' | 'cycle' | 'sql' | 'route-types';
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
  routeTypes: { file: string; text: string }[];
}

/** Fastify's route shorthands (and `route`): called on an instance with a path first. */
const ROUTE_METHODS = new Set(['get', 'head', 'post', 'put', 'delete', 'options', 'patch', 'all', 'route']);
/** The members of Fastify's RouteGenericInterface that type a request. */
const REQUEST_GENERICS = new Set(['Querystring', 'Params', 'Body', 'Headers']);

/** The RouteGenericInterface members an object type written in place names (`{ Params: …; Body: … }`). */
function requestGenerics(type: ts.TypeNode): string[] {
  if (ts.isParenthesizedTypeNode(type)) return requestGenerics(type.type);
  if (ts.isUnionTypeNode(type) || ts.isIntersectionTypeNode(type)) return type.types.flatMap(requestGenerics);
  if (!ts.isTypeLiteralNode(type)) return [];
  return type.members.flatMap((member) => (member.name && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name)) && REQUEST_GENERICS.has(member.name.text) ? [member.name.text] : []));
}

/**
 * Request types written by hand where a route's schemas should give them: the offending
 * expression (`app.get<{ Querystring }>`, `FastifyRequest<{ Body }>`, `Type.Unsafe<{ … }>`,
 * `app.post<Generic> /path`), or undefined.
 */
function handWrittenRouteTypes(node: ts.Node): string | undefined {
  let typeArguments: ts.NodeArray<ts.TypeNode> | undefined;
  let name = '';
  if (ts.isCallExpression(node) || ts.isExpressionWithTypeArguments(node)) [typeArguments, name] = [node.typeArguments, node.expression.getText()];
  else if (ts.isTypeReferenceNode(node)) [typeArguments, name] = [node.typeArguments, node.typeName.getText()];
  if (!typeArguments?.length) return undefined;
  const members = typeArguments.flatMap(requestGenerics);
  if (members.length) return `${name}<{ ${[...new Set(members)].join('; ')} }>`;
  if (!ts.isCallExpression(node)) return undefined;
  if (/(^|\.)Unsafe$/.test(name) && typeArguments.some((type) => ts.isTypeLiteralNode(type))) return `${name}<{ … }>`;
  // A route: a shorthand called with a path (`'/x'`, `` `${PREFIX}/x` ``), or `route({ … })`.
  const callee = node.expression;
  const first = node.arguments[0];
  if (!ts.isPropertyAccessExpression(callee) || !ROUTE_METHODS.has(callee.name.text) || !first) return undefined;
  const path = ts.isTemplateExpression(first) ? (first.head.text || first.templateSpans[0]!.literal.text) : literalText(first);
  if (!path?.startsWith('/') && !(callee.name.text === 'route' && ts.isObjectLiteralExpression(first))) return undefined;
  return `${name}<${typeArguments.map((type) => type.getText()).join(', ')}> ${first.getText()}`;
}

function scan(root: string): Scan {
  const files = sourceFiles(root).map((file) => path.relative(root, file).split(path.sep).join('/'));
  const edges: ImportEdge[] = [];
  const sql: Scan['sql'] = [];
  const routeTypes: Scan['routeTypes'] = [];
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
      const handWritten = handWrittenRouteTypes(node);
      if (handWritten) routeTypes.push({ file, text: handWritten });
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
  return { files, edges, sql, routeTypes };
}

/** Every violation of the rules in the source tree at `root` (e.g. server/src). */
export function architectureViolations(root: string): Violation[] {
  const { edges, sql, routeTypes } = scan(root);
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
  for (const found of routeTypes) violations.push({ rule: 'route-types', key: `${found.file}: ${found.text}` });
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
