// The layer table of src-main and an ESLint rule that keeps it, in the manner of VS Code's
// code-layering rule: every import points down (to its own folder or a lower floor), and no
// file reaches itself again through its imports (no circles).
import fs from 'node:fs';
import path from 'node:path';

/**
 * Floors of src-main, lowest first. A file may import from its own folder and from any
 * floor below its own; never from a floor above, nor from another folder of the same floor.
 * src-shared (the contract) is below them all.
 */
export const LAYERS = [
  ['src-shared'],
  ['src-main/engine/errors.ts', 'src-main/engine/home.ts'],
  ['src-main/engine/media'],
  ['src-main/engine/cache', 'src-main/engine/saa'],
  ['src-main/engine/models'],
  ['src-main/engine/grounding'],
  ['src-main/engine/store'],
  ['src-main/engine/learning'],
  ['src-main/engine/jobs'],
  // The composition root: the store, the queue and its job handlers opened on one data folder.
  ['src-main/engine/engine.ts'],
  // The use cases both shells call, and the job worker that runs jobs off the UI thread.
  ['src-main/engine/api', 'src-main/engine/worker'],
  ['src-main/http'],
  ['src-main/server'],
  // The shells: the command line and the desktop app, neither importing the other.
  ['src-main/cli', 'src-main/electron'],
];

/** The floor and unit (folder or file of the table) of a repo-relative path, or null outside the table. */
export function layerOf(rel) {
  const p = rel.split(path.sep).join('/');
  for (const [floor, units] of LAYERS.entries()) {
    for (const unit of units) if (p === unit || p.startsWith(`${unit}/`)) return { floor, unit };
  }
  return null;
}

/** Why an import from `from` to `to` (repo-relative) breaks the table, or null when it keeps it. */
export function layerProblem(from, to) {
  const a = layerOf(from);
  const b = layerOf(to);
  if (!a || !b || a.unit === b.unit) return null;
  if (b.floor > a.floor) return `${a.unit} may not import ${b.unit}: it is a floor above (imports point down)`;
  if (b.floor === a.floor) return `${a.unit} may not import ${b.unit}: they are side by side on one floor`;
  return null;
}

const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** The file a relative specifier names (`./x.js` is `./x.ts` in the sources), or null. */
function resolveSpecifier(fromFile, spec) {
  const base = path.resolve(path.dirname(fromFile), spec);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, path.join(base, 'index.ts')];
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile()) ?? null;
}

const graph = new Map();

/** Relative imports of a file (type-only ones too: a circle of types is still a circle), cached by mtime. */
function importsOf(file) {
  const mtime = fs.statSync(file).mtimeMs;
  const hit = graph.get(file);
  if (hit && hit.mtime === mtime) return hit.targets;
  const text = fs.readFileSync(file, 'utf8');
  const targets = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const target = resolveSpecifier(file, m[1] ?? m[2]);
    if (target && target.endsWith('.ts')) targets.push(target);
  }
  graph.set(file, { mtime, targets });
  return targets;
}

/** A path of imports from `start` back to itself through `first`, or null. */
function circleThrough(start, first) {
  const seen = new Set();
  const stack = [[first, [start, first]]];
  while (stack.length > 0) {
    const [file, trail] = stack.pop();
    if (file === start) return trail;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const next of importsOf(file)) stack.push([next, [...trail, next]]);
  }
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports of src-main point down the layer table and make no circle' },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const root = context.cwd;
    const rel = path.relative(root, file);
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = resolveSpecifier(file, spec);
      if (!target) return;
      const problem = layerProblem(rel, path.relative(root, target));
      if (problem) {
        context.report({ node, message: `layers: ${problem}` });
        return;
      }
      if (!target.endsWith('.ts') || !file.endsWith('.ts')) return;
      const circle = circleThrough(file, target);
      if (circle)
        context.report({
          node,
          message: `layers: import circle ${circle.map((f) => path.relative(root, f)).join(' -> ')}`,
        });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { layers: layersRule } };
