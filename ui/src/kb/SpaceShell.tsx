import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useAuth, useUser } from '../auth/AuthContext';
import { errorFrom } from '../auth/formErrors';
import { downloadBlob } from '../components/CopyField';
import { ConfirmDialog } from '../components/Dialog';
import { ErrorAlert, Spinner, useErrorText } from '../components/Form';
import { PlusIcon, SettingsIcon } from '../components/Icons';
import { useToast } from '../components/Toast';
import { useI18n } from '../i18n';
import { Link, navigate } from '../router';
import { canEdit, canManage, type MovePlacement, type Space, type TreeDoc } from './api';
import { docSpace, loadExpanded, saveExpanded, setCurrentSpace } from './cache';
import { ImportDialog } from './dialogs/ImportDialog';
import { MoveDialog } from './dialogs/MoveDialog';
import { NewDocumentDialog } from './dialogs/NewDocumentDialog';
import { ShareDialog } from './dialogs/ShareDialog';
import { DocTree } from './DocTree';
import { useKbApi, useSpaces } from './hooks';
import { PanelIcon, TemplateIcon, TrashIcon } from './icons';
import type { MenuAction } from './PopupMenu';
import { useKbEvents } from './realtime';
import { applyMove, buildTree, isWithin } from './tree';

export const docPath = (id: string) => `/kb/doc/${encodeURIComponent(id)}`;
export const spacePath = (id: string, rest = '') => `/kb/s/${encodeURIComponent(id)}${rest}`;

export interface SpaceCtx {
  spaceId: string;
  space: Space | null;
  docs: TreeDoc[] | null;
  canEdit: boolean;
  canManage: boolean;
  reloadTree: () => void;
  /** Updates one document's title/status in the tree after an edit elsewhere. */
  patchDoc: (doc: Partial<TreeDoc> & { id: string }) => void;
  newDocument: (parent: { id: string; title: string } | null, templateId?: string) => void;
  moveDocument: (doc: { id: string; title: string }, version?: number) => void;
  shareDocument: (doc: { id: string; title: string }) => void;
  deleteDocument: (doc: { id: string; title: string }) => void;
  exportDocument: (doc: { id: string; title: string }, format: 'markdown' | 'html') => void;
  importInto: (parent: { id: string; title: string } | null) => void;
  exportSpace: () => void;
  /** Menu actions for a document (tree context menu and the document page's "more" menu). */
  documentActions: (doc: { id: string; title: string }, opts?: { version?: number; onPage?: boolean }) => MenuAction[];
}

const SpaceContext = createContext<SpaceCtx | null>(null);

export function useSpace(): SpaceCtx {
  const ctx = useContext(SpaceContext);
  if (!ctx) throw new Error('useSpace outside SpaceShell');
  return ctx;
}

export function useOptionalSpace(): SpaceCtx | null {
  return useContext(SpaceContext);
}

type Pending =
  | { kind: 'new'; parent: { id: string; title: string } | null; templateId?: string }
  | { kind: 'move'; doc: { id: string; title: string }; version?: number }
  | { kind: 'share'; doc: { id: string; title: string } }
  | { kind: 'delete'; doc: { id: string; title: string } }
  | { kind: 'import'; parent: { id: string; title: string } | null };

/** Downloads an export with the session's token, under the name the server suggests. */
async function saveExport(client: ReturnType<typeof useAuth>['client'], path: string, fallback: string) {
  const { blob, filename } = await client.blob(path);
  downloadBlob(filename ?? fallback, blob);
}

/** Safe file name from a title ("회의록 / 3월" → "회의록 - 3월"). */
export function fileNameFor(title: string, ext: string): string {
  const base = title.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' - ').replace(/\s+/g, ' ').trim().slice(0, 120) || 'document';
  return `${base}.${ext}`;
}

/**
 * Everything inside one space: the side pane with the document tree, and
 * the dialogs (new, move, share, delete, import) any page in the space can open.
 */
export function SpaceShell({
  spaceId,
  activeDocId,
  home = false,
  children,
}: {
  spaceId: string;
  activeDocId?: string | null;
  home?: boolean;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const { client } = useAuth();
  const me = useUser();
  const api = useKbApi();
  const toast = useToast();
  const errorText = useErrorText();
  const { spaces, error: spacesError, put } = useSpaces();
  const [docs, setDocs] = useState<TreeDoc[] | null>(null);
  const [treeError, setTreeError] = useState<ReturnType<typeof errorFrom> | null>(null);
  const [nonce, setNonce] = useState(0);
  const [expanded, setExpanded] = useState<Set<string>>(() => loadExpanded(spaceId));
  const [pending, setPending] = useState<Pending | null>(null);
  const [paneOpen, setPaneOpen] = useState(false);
  const space = spaces?.find((s) => s.id === spaceId) ?? null;
  const [fetchedSpace, setFetchedSpace] = useState<Space | null>(null);
  const current = space?.role ? space : (fetchedSpace ?? space);

  useEffect(() => {
    setCurrentSpace(spaceId);
    return () => setCurrentSpace(null);
  }, [spaceId]);

  // GET /spaces/:id says what this user may do here (listings don't), and
  // finds archived spaces too; the shared list keeps the answer.
  useEffect(() => {
    let live = true;
    api.space(spaceId).then(
      (s) => {
        if (!live) return;
        setFetchedSpace(s);
        put(s);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, spaceId, put]);

  useEffect(() => {
    const ctrl = new AbortController();
    api.tree(spaceId, ctrl.signal).then(
      (list) => {
        if (ctrl.signal.aborted) return;
        list.forEach((d) => docSpace.set(d.id, spaceId));
        setDocs(list);
        setTreeError(null);
      },
      (err: unknown) => {
        if (!ctrl.signal.aborted) setTreeError(errorFrom(err));
      },
    );
    return () => ctrl.abort();
  }, [api, spaceId, nonce]);

  const reloadTree = useCallback(() => setNonce((n) => n + 1), []);

  // Others' changes: refresh the tree when documents of this space change.
  useKbEvents(
    useCallback(
      (e) => {
        if (e.type === 'resync' || (e.type.startsWith('document.') && (e.spaceId === spaceId || (e.documentId && docSpace.get(e.documentId) === spaceId)))) {
          reloadTree();
        }
      },
      [spaceId, reloadTree],
    ),
  );

  // Close the pane drawer (phones) when the page changes.
  useEffect(() => setPaneOpen(false), [activeDocId]);

  const onExpandedChange = useCallback(
    (next: Set<string>) => {
      setExpanded(next);
      saveExpanded(spaceId, next);
    },
    [spaceId],
  );

  const editable = canEdit(current, me.role) && !current?.archived_at;
  const manager = canManage(current, me.role);

  const onMove = useCallback(
    (id: string, placement: MovePlacement) => {
      const title = docs?.find((d) => d.id === id)?.title ?? '';
      setDocs((list) => (list ? applyMove(list, id, placement) : list));
      api.move(id, placement).then(
        () => {
          toast(t('kb.move.done', { title: title || t('kb.doc.untitled') }));
          reloadTree();
        },
        (err: unknown) => {
          toast(errorText(errorFrom(err)), 'error');
          reloadTree();
        },
      );
    },
    [api, docs, toast, t, errorText, reloadTree],
  );

  const exportDocument = useCallback(
    (doc: { id: string; title: string }, format: 'markdown' | 'html') => {
      const path = format === 'markdown' ? api.exportPath.markdown(doc.id) : api.exportPath.html(doc.id);
      saveExport(client, path, fileNameFor(doc.title, format === 'markdown' ? 'md' : 'html')).catch((err: unknown) =>
        toast(errorText(errorFrom(err)), 'error'),
      );
    },
    [api, client, toast, errorText],
  );

  const exportSpace = useCallback(() => {
    saveExport(client, api.exportPath.space(spaceId), fileNameFor(current?.name ?? 'space', 'zip')).catch((err: unknown) =>
      toast(errorText(errorFrom(err)), 'error'),
    );
  }, [api, client, spaceId, current, toast, errorText]);

  const documentActions = useCallback(
    (doc: { id: string; title: string }, opts: { version?: number; onPage?: boolean } = {}): MenuAction[] => {
      const list: MenuAction[] = [];
      if (!opts.onPage) list.push({ label: t('kb.actions.open'), onSelect: () => navigate(docPath(doc.id)) });
      if (editable) {
        list.push({ label: t('kb.actions.newChild'), onSelect: () => setPending({ kind: 'new', parent: doc }) });
        list.push({ label: t('kb.actions.move'), onSelect: () => setPending({ kind: 'move', doc, version: opts.version }) });
      }
      if (editable) list.push({ label: t('kb.actions.share'), onSelect: () => setPending({ kind: 'share', doc }) });
      list.push({ label: t('kb.actions.exportMd'), onSelect: () => exportDocument(doc, 'markdown'), separated: true });
      list.push({ label: t('kb.actions.exportHtml'), onSelect: () => exportDocument(doc, 'html') });
      if (editable) list.push({ label: t('kb.actions.import'), onSelect: () => setPending({ kind: 'import', parent: doc }) });
      if (editable) list.push({ label: t('kb.actions.delete'), onSelect: () => setPending({ kind: 'delete', doc }), danger: true, separated: true });
      return list;
    },
    [t, editable, exportDocument],
  );

  const ctx = useMemo<SpaceCtx>(
    () => ({
      spaceId,
      space: current,
      docs,
      canEdit: editable,
      canManage: manager,
      reloadTree,
      patchDoc: (patch) => setDocs((list) => list?.map((d) => (d.id === patch.id ? { ...d, ...patch } : d)) ?? list),
      newDocument: (parent, templateId) => setPending({ kind: 'new', parent, templateId }),
      moveDocument: (doc, version) => setPending({ kind: 'move', doc, version }),
      shareDocument: (doc) => setPending({ kind: 'share', doc }),
      deleteDocument: (doc) => setPending({ kind: 'delete', doc }),
      exportDocument,
      importInto: (parent) => setPending({ kind: 'import', parent }),
      exportSpace,
      documentActions,
    }),
    [spaceId, current, docs, editable, manager, reloadTree, exportDocument, exportSpace, documentActions],
  );

  const tree = useMemo(() => (docs ? buildTree(docs) : null), [docs]);
  const close = () => setPending(null);
  const spaceName = current?.name ?? '';

  return (
    <SpaceContext.Provider value={ctx}>
      <div className={`kb-shell${home ? ' kb-shell--home' : ''}${paneOpen ? ' kb-shell--pane-open' : ''}`}>
        <aside className="kb-pane" aria-label={t('kb.pane.label', { space: spaceName })} id="kb-pane">
          <div className="kb-pane__head">
            <Link to={spacePath(spaceId)} className="kb-pane__space">
              <span className="kb-space-icon" aria-hidden="true">
                {current?.icon || '📘'}
              </span>
              <span className="truncate">{spaceName || '…'}</span>
            </Link>
            {manager ? (
              <Link to={spacePath(spaceId, '/settings')} className="icon-button" aria-label={t('kb.space.settings')} title={t('kb.space.settings')}>
                <SettingsIcon width={18} height={18} />
              </Link>
            ) : null}
          </div>
          {current?.archived_at ? <p className="kb-pane__archived">{t('kb.space.archivedNotice')}</p> : null}
          {editable ? (
            <button type="button" className="button button--small kb-pane__new" onClick={() => setPending({ kind: 'new', parent: null })}>
              <PlusIcon width={16} height={16} />
              {t('kb.doc.new')}
            </button>
          ) : null}
          <div className="kb-pane__tree">
            <ErrorAlert error={treeError ?? (current ? null : spacesError)} />
            {docs === null && !treeError ? (
              <div className="pending" role="status" aria-label={t('common.loading')}>
                <Spinner />
              </div>
            ) : null}
            {docs && docs.length === 0 ? <p className="kb-pane__empty">{t('kb.tree.empty')}</p> : null}
            {docs && docs.length > 0 ? (
              <DocTree
                label={t('kb.tree.label', { space: spaceName })}
                docs={docs}
                activeId={activeDocId ?? null}
                expanded={expanded}
                onExpandedChange={onExpandedChange}
                onMove={editable ? onMove : null}
                actionsFor={(d) => documentActions(d)}
                docHref={docPath}
              />
            ) : null}
          </div>
          <ul className="kb-pane__links">
            <li>
              <Link to={spacePath(spaceId, '/templates')} className="kb-pane__link">
                <TemplateIcon width={16} height={16} />
                {t('kb.templates.title')}
              </Link>
            </li>
            <li>
              <Link to={spacePath(spaceId, '/trash')} className="kb-pane__link">
                <TrashIcon width={16} height={16} />
                {t('kb.trash.title')}
              </Link>
            </li>
          </ul>
        </aside>
        <div className="kb-shell__scrim" aria-hidden="true" onClick={() => setPaneOpen(false)} />
        <div className="kb-shell__content">
          {!home ? (
            <button
              type="button"
              className="button button--small kb-pane-toggle"
              aria-expanded={paneOpen}
              aria-controls="kb-pane"
              onClick={() => setPaneOpen((o) => !o)}
            >
              <PanelIcon width={16} height={16} />
              {t('kb.pane.toggle')}
            </button>
          ) : null}
          {children}
        </div>
      </div>

      {pending?.kind === 'new' ? (
        <NewDocumentDialog
          spaceId={spaceId}
          parent={pending.parent}
          templateId={pending.templateId}
          onClose={close}
          onCreated={(doc) => {
            docSpace.set(doc.id, spaceId);
            if (pending.parent) onExpandedChange(new Set([...expanded, pending.parent.id]));
            reloadTree();
            navigate(`${docPath(doc.id)}/edit`);
          }}
        />
      ) : null}
      {pending?.kind === 'move' && docs ? (
        <MoveDialog
          doc={pending.doc}
          spaceId={spaceId}
          docs={docs}
          version={pending.version}
          onClose={close}
          onMoved={({ space_id, placement }) => {
            toast(t('kb.move.done', { title: pending.doc.title || t('kb.doc.untitled') }));
            if (placement.parent_id) onExpandedChange(new Set([...expanded, placement.parent_id]));
            if (space_id !== spaceId) {
              docSpace.set(pending.doc.id, space_id);
              // Its children moved along: forget where they were.
              if (tree) for (const d of docs) if (d.id !== pending.doc.id && docSpace.get(d.id) === spaceId && tree.parentOf.get(d.id)) docSpace.delete(d.id);
              navigate(docPath(pending.doc.id));
            }
            reloadTree();
          }}
        />
      ) : null}
      {pending?.kind === 'share' ? <ShareDialog doc={pending.doc} onClose={close} /> : null}
      {pending?.kind === 'import' ? (
        <ImportDialog
          spaceId={spaceId}
          parent={pending.parent}
          onClose={close}
          onImported={(r) => {
            toast(
              r.skipped.length > 0
                ? t('kb.import.doneSkipped', { count: r.created, skipped: r.skipped.slice(0, 5).join(', ') })
                : t('kb.import.done', { count: r.created }),
            );
            reloadTree();
            const first = r.documents[0];
            if (first) navigate(docPath(first.id));
          }}
        />
      ) : null}
      {pending?.kind === 'delete' ? (
        <ConfirmDialog
          danger
          title={t('kb.delete.title', { title: pending.doc.title || t('kb.doc.untitled') })}
          body={tree?.byId.get(pending.doc.id)?.children.length ? t('kb.delete.bodyChildren') : t('kb.delete.body')}
          confirmLabel={t('kb.delete.confirm')}
          onClose={close}
          onConfirm={async () => {
            await api.deleteDocument(pending.doc.id);
            toast(t('kb.delete.done', { title: pending.doc.title || t('kb.doc.untitled') }));
            const parentId = tree?.parentOf.get(pending.doc.id) ?? null;
            reloadTree();
            if (activeDocId && (activeDocId === pending.doc.id || (tree && tree.byId.has(activeDocId) && isWithin(tree, activeDocId, pending.doc.id)))) {
              navigate(parentId ? docPath(parentId) : spacePath(spaceId));
            }
          }}
        />
      ) : null}
    </SpaceContext.Provider>
  );
}
