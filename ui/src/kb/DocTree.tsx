import { useEffect, useId, useMemo, useRef, useState, type CSSProperties, type DragEvent, type KeyboardEvent, type MouseEvent } from 'react';
import { useI18n } from '../i18n';
import { Link, navigate } from '../router';
import type { MovePlacement, TreeDoc } from './api';
import { ChevronRightIcon, DocIcon } from './icons';
import { PopupMenu, type MenuAction } from './PopupMenu';
import {
  ancestorsOf,
  buildTree,
  computeMove,
  dropPositionAt,
  hasChildren,
  indentMove,
  stepMove,
  visibleRows,
  type DropPosition,
  type Row,
} from './tree';

const DRAG_TYPE = 'application/x-nexus-document';

export interface DocTreeProps {
  label: string;
  docs: readonly TreeDoc[];
  activeId: string | null;
  expanded: ReadonlySet<string>;
  onExpandedChange: (next: Set<string>) => void;
  /** Null when the user may not reorganize (viewers). */
  onMove: ((id: string, placement: MovePlacement) => void) | null;
  actionsFor: (doc: TreeDoc) => MenuAction[];
  docHref: (id: string) => string;
}

/**
 * The document tree (WAI-ARIA tree view): one tab stop, arrows to move,
 * Right/Left to expand or collapse, Enter to open, Shift+F10 for actions,
 * Alt+Shift+arrows to reorder and indent. Rows can be dragged: the top or
 * bottom quarter of a row drops before or after it, the middle inside it.
 */
export function DocTree({ label, docs, activeId, expanded, onExpandedChange, onMove, actionsFor, docHref }: DocTreeProps) {
  const { t } = useI18n();
  const hintId = useId();
  const tree = useMemo(() => buildTree(docs), [docs]);
  const rows = useMemo(() => visibleRows(tree, expanded), [tree, expanded]);
  const [focusId, setFocusId] = useState<string | null>(null);
  const [menu, setMenu] = useState<{ doc: TreeDoc; at: { x: number; y: number }; el: HTMLElement | null } | null>(null);
  const [drag, setDrag] = useState<string | null>(null);
  const [drop, setDrop] = useState<{ id: string; pos: DropPosition } | null>(null);
  const [rootDrop, setRootDrop] = useState(false);
  const refs = useRef(new Map<string, HTMLDivElement>());
  const wantFocus = useRef(false);
  const typeahead = useRef({ text: '', at: 0 });

  // Open the way to the current document.
  useEffect(() => {
    if (!activeId || !tree.byId.has(activeId)) return;
    const missing = ancestorsOf(tree, activeId).filter((id) => !expanded.has(id));
    if (missing.length > 0) onExpandedChange(new Set([...expanded, ...missing]));
    // Only when the document or the tree changes, not on every toggle.
  }, [activeId, tree]);

  const tabStop = rows.some((r) => r.node.doc.id === focusId) ? focusId : rows.some((r) => r.node.doc.id === activeId) ? activeId : (rows[0]?.node.doc.id ?? null);

  useEffect(() => {
    if (!wantFocus.current || !focusId) return;
    wantFocus.current = false;
    refs.current.get(focusId)?.focus();
  });

  const focus = (id: string | undefined) => {
    if (!id) return;
    wantFocus.current = true;
    setFocusId(id);
  };

  const toggle = (id: string, open?: boolean) => {
    const next = new Set(expanded);
    const isOpen = next.has(id);
    if (open ?? !isOpen) next.add(id);
    else next.delete(id);
    onExpandedChange(next);
  };

  const move = (id: string, p: MovePlacement | null) => {
    if (!p || !onMove) return;
    if (p.parent_id) onExpandedChange(new Set([...expanded, p.parent_id]));
    onMove(id, p);
    focus(id);
  };

  const openMenu = (doc: TreeDoc, el: HTMLElement | null, at?: { x: number; y: number }) => {
    const r = el?.getBoundingClientRect();
    setMenu({ doc, el, at: at ?? { x: r ? r.left + 24 : 0, y: r ? r.bottom : 0 } });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>, row: Row, index: number) => {
    const id = row.node.doc.id;
    if (e.altKey && e.shiftKey && onMove) {
      const map: Record<string, () => MovePlacement | null> = {
        ArrowUp: () => stepMove(tree, id, 'up'),
        ArrowDown: () => stepMove(tree, id, 'down'),
        ArrowRight: () => indentMove(tree, id, 'in'),
        ArrowLeft: () => indentMove(tree, id, 'out'),
      };
      const fn = map[e.key];
      if (fn) {
        e.preventDefault();
        move(id, fn());
        return;
      }
    }
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        focus(rows[index + 1]?.node.doc.id);
        break;
      case 'ArrowUp':
        e.preventDefault();
        focus(rows[index - 1]?.node.doc.id);
        break;
      case 'Home':
        e.preventDefault();
        focus(rows[0]?.node.doc.id);
        break;
      case 'End':
        e.preventDefault();
        focus(rows[rows.length - 1]?.node.doc.id);
        break;
      case 'ArrowRight':
        e.preventDefault();
        if (row.node.children.length === 0) break;
        if (!row.expanded) toggle(id, true);
        else focus(row.node.children[0]?.doc.id);
        break;
      case 'ArrowLeft':
        e.preventDefault();
        if (row.expanded) toggle(id, false);
        else if (row.parentId) focus(row.parentId);
        break;
      case 'Enter':
        e.preventDefault();
        navigate(docHref(id));
        break;
      case 'F10':
        if (e.shiftKey) {
          e.preventDefault();
          openMenu(row.node.doc, e.currentTarget);
        }
        break;
      case 'ContextMenu':
        e.preventDefault();
        openMenu(row.node.doc, e.currentTarget);
        break;
      default:
        if (e.key.length === 1 && /\S/.test(e.key) && !e.shiftKey) {
          // Type-ahead: jump to the next title starting with what was typed.
          const now = Date.now();
          const ta = typeahead.current;
          ta.text = now - ta.at > 700 ? e.key : ta.text + e.key;
          ta.at = now;
          const q = ta.text.toLocaleLowerCase();
          const start = ta.text.length > 1 ? index : index + 1;
          for (let n = 0; n < rows.length; n++) {
            const cand = rows[(start + n) % rows.length];
            if (cand && (cand.node.doc.title || t('kb.doc.untitled')).toLocaleLowerCase().startsWith(q)) {
              focus(cand.node.doc.id);
              break;
            }
          }
        }
    }
  };

  // ---- drag and drop ----
  const onDragStart = (e: DragEvent<HTMLDivElement>, doc: TreeDoc) => {
    if (!onMove) return;
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData(DRAG_TYPE, doc.id);
    e.dataTransfer.setData('text/plain', doc.title);
    setDrag(doc.id);
  };

  const onDragOver = (e: DragEvent<HTMLDivElement>, doc: TreeDoc) => {
    if (!drag || !onMove) return;
    const r = e.currentTarget.getBoundingClientRect();
    const pos = dropPositionAt(e.clientY, r.top, r.height);
    const placement = computeMove(tree, drag, doc.id, pos);
    if (!placement) {
      setDrop(null);
      return;
    }
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    if (drop?.id !== doc.id || drop.pos !== pos) setDrop({ id: doc.id, pos });
  };

  const onDrop = (e: DragEvent<HTMLDivElement>, doc: TreeDoc) => {
    e.preventDefault();
    const id = drag ?? e.dataTransfer.getData(DRAG_TYPE);
    const r = e.currentTarget.getBoundingClientRect();
    const pos = dropPositionAt(e.clientY, r.top, r.height);
    setDrag(null);
    setDrop(null);
    if (id) move(id, computeMove(tree, id, doc.id, pos));
  };

  const endDrag = () => {
    setDrag(null);
    setDrop(null);
    setRootDrop(false);
  };

  const lastRoot = tree.roots[tree.roots.length - 1];

  return (
    <>
      <p id={hintId} className="visually-hidden">
        {onMove ? t('kb.tree.hintEdit') : t('kb.tree.hint')}
      </p>
      <div role="tree" aria-label={label} aria-describedby={hintId} className={`kb-tree${drag ? ' is-dragging' : ''}`} onDragEnd={endDrag}>
        {rows.map((row, index) => {
          const d = row.node.doc;
          const active = d.id === activeId;
          const parentHas = hasChildren(row.node) && row.node.children.length > 0;
          const dropCls = drop?.id === d.id ? ` kb-tree__row--drop-${drop.pos}` : '';
          return (
            <div
              key={d.id}
              ref={(el) => {
                if (el) refs.current.set(d.id, el);
                else refs.current.delete(d.id);
              }}
              role="treeitem"
              aria-level={row.level}
              aria-setsize={row.size}
              aria-posinset={row.pos}
              aria-expanded={parentHas ? row.expanded : undefined}
              aria-selected={active}
              aria-current={active ? 'page' : undefined}
              tabIndex={d.id === tabStop ? 0 : -1}
              className={`kb-tree__row${active ? ' is-active' : ''}${drag === d.id ? ' is-dragged' : ''}${dropCls}`}
              style={{ '--level': row.level - 1 } as CSSProperties}
              draggable={!!onMove}
              onDragStart={(e) => onDragStart(e, d)}
              onDragOver={(e) => onDragOver(e, d)}
              onDragLeave={(e) => {
                if (!e.currentTarget.contains(e.relatedTarget as Node)) setDrop((x) => (x?.id === d.id ? null : x));
              }}
              onDrop={(e) => onDrop(e, d)}
              onKeyDown={(e) => onKeyDown(e, row, index)}
              onFocus={(e) => {
                if (e.target === e.currentTarget) setFocusId(d.id);
              }}
              onContextMenu={(e: MouseEvent<HTMLDivElement>) => {
                e.preventDefault();
                setFocusId(d.id);
                openMenu(d, e.currentTarget, { x: e.clientX, y: e.clientY });
              }}
            >
              {parentHas ? (
                <span
                  className={`kb-tree__toggle${row.expanded ? ' is-open' : ''}`}
                  aria-hidden="true"
                  onClick={(e) => {
                    e.stopPropagation();
                    toggle(d.id);
                  }}
                >
                  <ChevronRightIcon width={14} height={14} />
                </span>
              ) : (
                <span className="kb-tree__toggle kb-tree__toggle--leaf" aria-hidden="true">
                  <DocIcon width={14} height={14} />
                </span>
              )}
              <Link to={docHref(d.id)} tabIndex={-1} className="kb-tree__link" draggable={false}>
                <span className="kb-tree__title">{d.title || t('kb.doc.untitled')}</span>
                {d.status === 'draft' ? <span className="kb-badge kb-badge--draft">{t('kb.status.draft')}</span> : null}
              </Link>
              <button
                type="button"
                className="kb-tree__more icon-button"
                tabIndex={-1}
                aria-label={t('kb.tree.actionsFor', { title: d.title || t('kb.doc.untitled') })}
                title={t('kb.tree.actions')}
                aria-haspopup="menu"
                onClick={(e) => {
                  e.stopPropagation();
                  openMenu(d, e.currentTarget.closest('[role="treeitem"]'), {
                    x: e.currentTarget.getBoundingClientRect().left,
                    y: e.currentTarget.getBoundingClientRect().bottom + 2,
                  });
                }}
              >
                <svg width="16" height="16" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
                  <circle cx="4.75" cy="10" r="1.3" fill="currentColor" />
                  <circle cx="10" cy="10" r="1.3" fill="currentColor" />
                  <circle cx="15.25" cy="10" r="1.3" fill="currentColor" />
                </svg>
              </button>
            </div>
          );
        })}
        {onMove && drag ? (
          <div
            className={`kb-tree__root-drop${rootDrop ? ' is-over' : ''}`}
            onDragOver={(e) => {
              if (!drag || !lastRoot || lastRoot.doc.id === drag) return;
              e.preventDefault();
              setRootDrop(true);
            }}
            onDragLeave={() => setRootDrop(false)}
            onDrop={(e) => {
              e.preventDefault();
              const id = drag;
              endDrag();
              if (id && lastRoot && lastRoot.doc.id !== id) move(id, { parent_id: null, after_id: lastRoot.doc.id });
            }}
          >
            {t('kb.tree.dropTop')}
          </div>
        ) : null}
      </div>
      {menu ? (
        <PopupMenu
          label={t('kb.tree.actionsFor', { title: menu.doc.title || t('kb.doc.untitled') })}
          actions={actionsFor(menu.doc)}
          at={menu.at}
          returnFocus={menu.el}
          onClose={() => setMenu(null)}
        />
      ) : null}
    </>
  );
}
