// The document tree of a space: building it from the flat, ranked list the
// server sends, the rows a tree view shows for a set of expanded nodes, and
// the placement (parent + neighbour) a drag, a keyboard move or the Move
// dialog asks the server for. Pure functions, so they are tested alone.

import type { MovePlacement, TreeDoc } from './api';

export interface TreeNode {
  doc: TreeDoc;
  children: TreeNode[];
}

export interface Tree {
  roots: TreeNode[];
  byId: Map<string, TreeNode>;
  parentOf: Map<string, string | null>;
}

/** Ranks are fractional-index strings: compare them by code unit, never by locale. */
function compareRank(a: TreeDoc, b: TreeDoc): number {
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Builds the tree; siblings are ordered by rank. A node whose parent is unknown becomes a root. */
export function buildTree(docs: readonly TreeDoc[]): Tree {
  const byId = new Map<string, TreeNode>();
  for (const d of docs) byId.set(d.id, { doc: d, children: [] });
  const roots: TreeNode[] = [];
  const parentOf = new Map<string, string | null>();
  for (const node of byId.values()) {
    const pid = node.doc.parent_id;
    const parent = pid && pid !== node.doc.id ? byId.get(pid) : undefined;
    if (parent) {
      parent.children.push(node);
      parentOf.set(node.doc.id, pid);
    } else {
      roots.push(node);
      parentOf.set(node.doc.id, null);
    }
  }
  // A cycle in bad data would make nodes unreachable: detach them to the top.
  const reachable = new Set<string>();
  const mark = (n: TreeNode) => {
    if (reachable.has(n.doc.id)) return;
    reachable.add(n.doc.id);
    n.children.forEach(mark);
  };
  roots.forEach(mark);
  for (const node of byId.values()) {
    if (!reachable.has(node.doc.id)) {
      const pid = parentOf.get(node.doc.id);
      const parent = pid ? byId.get(pid) : undefined;
      if (parent) parent.children = parent.children.filter((c) => c !== node);
      parentOf.set(node.doc.id, null);
      roots.push(node);
      mark(node);
    }
  }
  const sort = (list: TreeNode[]) => {
    list.sort((a, b) => compareRank(a.doc, b.doc));
    list.forEach((n) => sort(n.children));
  };
  sort(roots);
  return { roots, byId, parentOf };
}

export function siblingsOf(tree: Tree, id: string): TreeNode[] {
  const pid = tree.parentOf.get(id) ?? null;
  return pid ? (tree.byId.get(pid)?.children ?? []) : tree.roots;
}

/** The ids from the root down to `id` (exclusive). */
export function ancestorsOf(tree: Tree, id: string): string[] {
  const out: string[] = [];
  let pid = tree.parentOf.get(id) ?? null;
  const seen = new Set<string>();
  while (pid && !seen.has(pid)) {
    seen.add(pid);
    out.unshift(pid);
    pid = tree.parentOf.get(pid) ?? null;
  }
  return out;
}

/** True when `id` is `ancestorId` or lies below it. */
export function isWithin(tree: Tree, id: string, ancestorId: string): boolean {
  return id === ancestorId || ancestorsOf(tree, id).includes(ancestorId);
}

export function hasChildren(node: TreeNode): boolean {
  return node.children.length > 0 || node.doc.has_children;
}

export interface Row {
  node: TreeNode;
  /** 1-based, as aria-level. */
  level: number;
  /** 1-based position among its siblings, and their count (aria-posinset / aria-setsize). */
  pos: number;
  size: number;
  parentId: string | null;
  expanded: boolean;
}

/** The rows a tree view shows: roots, plus the children of every expanded node, depth first. */
export function visibleRows(tree: Tree, expanded: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  const walk = (list: TreeNode[], level: number, parentId: string | null) => {
    list.forEach((node, i) => {
      const open = expanded.has(node.doc.id) && node.children.length > 0;
      rows.push({ node, level, pos: i + 1, size: list.length, parentId, expanded: open });
      if (open) walk(node.children, level + 1, node.doc.id);
    });
  };
  walk(tree.roots, 1, null);
  return rows;
}

export type DropPosition = 'before' | 'after' | 'inside';

/**
 * Where a document goes when dropped on `targetId` at `position`: its new
 * parent and the sibling it goes before or after. null when the drop is
 * impossible (onto itself or into its own subtree) or changes nothing.
 */
export function computeMove(tree: Tree, dragId: string, targetId: string, position: DropPosition): MovePlacement | null {
  const target = tree.byId.get(targetId);
  if (!tree.byId.has(dragId) || !target) return null;
  if (isWithin(tree, targetId, dragId)) return null;

  let placement: MovePlacement;
  if (position === 'inside') {
    const children = target.children.filter((c) => c.doc.id !== dragId);
    const last = children[children.length - 1];
    placement = last ? { parent_id: targetId, after_id: last.doc.id } : { parent_id: targetId };
  } else {
    const parentId = tree.parentOf.get(targetId) ?? null;
    placement = position === 'before' ? { parent_id: parentId, before_id: targetId } : { parent_id: parentId, after_id: targetId };
  }
  return samePlace(tree, dragId, placement) ? null : placement;
}

/** True when the placement leaves the document exactly where it is. */
export function samePlace(tree: Tree, id: string, p: MovePlacement): boolean {
  const currentParent = tree.parentOf.get(id) ?? null;
  if (currentParent !== (p.parent_id ?? null)) return false;
  const sibs = siblingsOf(tree, id);
  const i = sibs.findIndex((s) => s.doc.id === id);
  if (p.before_id) return sibs[i + 1]?.doc.id === p.before_id;
  if (p.after_id) return sibs[i - 1]?.doc.id === p.after_id;
  // No neighbour given: "last child" of the parent.
  return i === sibs.length - 1;
}

/** Alt+Arrow moves: one step up or down among siblings. */
export function stepMove(tree: Tree, id: string, dir: 'up' | 'down'): MovePlacement | null {
  const sibs = siblingsOf(tree, id);
  const i = sibs.findIndex((s) => s.doc.id === id);
  const parentId = tree.parentOf.get(id) ?? null;
  if (dir === 'up') {
    const prev = sibs[i - 1];
    return prev ? { parent_id: parentId, before_id: prev.doc.id } : null;
  }
  const next = sibs[i + 1];
  return next ? { parent_id: parentId, after_id: next.doc.id } : null;
}

/** Alt+Right: become the last child of the previous sibling. Alt+Left: follow the parent. */
export function indentMove(tree: Tree, id: string, dir: 'in' | 'out'): MovePlacement | null {
  if (dir === 'in') {
    const sibs = siblingsOf(tree, id);
    const i = sibs.findIndex((s) => s.doc.id === id);
    const prev = sibs[i - 1];
    return prev ? computeMove(tree, id, prev.doc.id, 'inside') : null;
  }
  const parentId = tree.parentOf.get(id) ?? null;
  if (!parentId) return null;
  return { parent_id: tree.parentOf.get(parentId) ?? null, after_id: parentId };
}

/**
 * Applies a placement locally (optimistic update while the server answers):
 * returns the flat list with the document re-parented and given a rank that
 * sorts it into place. Ranks are only compared, so a local key between the
 * neighbours' keys is enough until the server's list replaces it.
 */
export function applyMove(docs: readonly TreeDoc[], id: string, p: MovePlacement): TreeDoc[] {
  const tree = buildTree(docs);
  const others = (p.parent_id ? (tree.byId.get(p.parent_id)?.children ?? []) : tree.roots)
    .map((n) => n.doc)
    .filter((d) => d.id !== id);
  let index = others.length;
  if (p.before_id) index = Math.max(0, others.findIndex((d) => d.id === p.before_id));
  else if (p.after_id) index = others.findIndex((d) => d.id === p.after_id) + 1;
  const order = [...others.slice(0, index), { id } as TreeDoc, ...others.slice(index)];
  const rank = new Map(order.map((d, i) => [d.id, String(i).padStart(6, '0')]));
  return docs.map((d) => {
    if (d.id === id) return { ...d, parent_id: p.parent_id, rank: rank.get(id) ?? d.rank };
    if (rank.has(d.id)) return { ...d, rank: rank.get(d.id) ?? d.rank };
    if (d.id === p.parent_id) return { ...d, has_children: true };
    return d;
  });
}

/** Which part of a row a pointer at `y` is over: the top quarter "before", the bottom quarter "after", else "inside". */
export function dropPositionAt(y: number, top: number, height: number): DropPosition {
  const rel = (y - top) / Math.max(1, height);
  if (rel < 0.25) return 'before';
  if (rel > 0.75) return 'after';
  return 'inside';
}

/** Every document that may become the parent of `id` (not itself nor its descendants), depth first, with depth. */
export function parentChoices(tree: Tree, id: string | null): { doc: TreeDoc; depth: number }[] {
  const out: { doc: TreeDoc; depth: number }[] = [];
  const walk = (list: TreeNode[], depth: number) => {
    for (const n of list) {
      if (id && n.doc.id === id) continue;
      out.push({ doc: n.doc, depth });
      walk(n.children, depth + 1);
    }
  };
  walk(tree.roots, 0);
  return out;
}
