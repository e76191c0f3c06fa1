package kb

import (
	"context"

	"nexus/app"
	"nexus/app/authz"
)

// Tree returns a space's live documents in display order: depth first,
// siblings by rank, each with its depth and whether it has children.
func (s *Service) Tree(ctx context.Context, p *app.Principal, spaceID string) ([]TreeNode, error) {
	if _, err := s.loadSpace(ctx, p, spaceID, authz.View); err != nil {
		return nil, err
	}
	rows, err := s.store.FindTree(ctx, spaceID)
	if err != nil {
		return nil, err
	}
	return arrangeTree(rows, ""), nil
}

// arrangeTree orders rows (sorted by parent, rank, id) depth first from
// root. Documents whose parent is not among the rows are shown at the top,
// so nothing is ever lost from view.
func arrangeTree(rows []TreeNode, root string) []TreeNode {
	children := make(map[string][]int, len(rows)/2+1)
	present := make(map[string]bool, len(rows))
	for i := range rows {
		present[rows[i].ID] = true
	}
	for i := range rows {
		parent := rows[i].ParentID
		if parent != root && !present[parent] {
			parent = root
		}
		children[parent] = append(children[parent], i)
	}
	out := make([]TreeNode, 0, len(rows))
	// Iterative depth-first walk: a deep tree must not exhaust the stack.
	type frame struct {
		kids  []int
		depth int
	}
	stack := []frame{{children[root], 0}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if len(top.kids) == 0 {
			stack = stack[:len(stack)-1]
			continue
		}
		i := top.kids[0]
		top.kids = top.kids[1:]
		n := rows[i]
		n.Depth = top.depth
		kids := children[n.ID]
		n.HasChildren = len(kids) > 0
		out = append(out, n)
		if len(kids) > 0 {
			stack = append(stack, frame{kids, top.depth + 1})
		}
	}
	return out
}

// MoveInput places a document: under ParentID ("" for the top of the
// space), before BeforeID or after AfterID (a sibling there), or last when
// neither is given; in SpaceID when it changes space.
type MoveInput struct {
	SpaceID  string
	ParentID string
	BeforeID string
	AfterID  string
	// Version, when not zero, must be the document's current version.
	Version int64
}

// MoveDocument moves or reorders a document with its children. Moving to
// another space needs edit on both; the permissions of the destination
// apply from then on.
func (s *Service) MoveDocument(ctx context.Context, p *app.Principal, id string, in MoveInput) (*Document, error) {
	d, from, err := s.loadDocument(ctx, p, id, authz.Edit)
	if err != nil {
		return nil, err
	}
	to := from
	if in.SpaceID != "" && in.SpaceID != from.ID {
		if to, err = s.loadSpace(ctx, p, in.SpaceID, authz.Edit); err != nil {
			return nil, err
		}
		if to.Archived() {
			return nil, errArchived
		}
	}
	if in.BeforeID != "" && in.AfterID != "" {
		return nil, app.Invalid("before_id", "Give before_id or after_id, not both.")
	}
	if in.Version != 0 && in.Version != d.Version {
		return nil, errStaleDocument(d)
	}
	var out *Document
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.FindDocumentByID(ctx, id)
		if err != nil {
			return err
		}
		if cur.Deleted() || cur.SpaceID != from.ID {
			return &app.Error{Code: app.CodeConflict, Message: "The document was moved or deleted meanwhile. Reload and try again."}
		}
		if in.ParentID != "" {
			parent, err := tx.FindDocumentByID(ctx, in.ParentID)
			if err != nil || parent.SpaceID != to.ID || parent.Deleted() {
				return app.Invalid("parent_id", "The new parent is not a document of that space.")
			}
			// The parent must not be the document or one of its descendants.
			if loop, err := tx.IsAncestor(ctx, id, in.ParentID); err != nil {
				return err
			} else if loop {
				return app.Invalid("parent_id", "A document cannot be moved under itself or one of its children.")
			}
		}
		anchor, before := in.AfterID, false
		if in.BeforeID != "" {
			anchor, before = in.BeforeID, true
		}
		if anchor == id {
			return app.Invalid("before_id", "A document cannot be placed next to itself.")
		}
		lo, hi, err := tx.SiblingRanks(ctx, to.ID, in.ParentID, anchor, before, id)
		if app.IsNotFound(err) {
			field := "after_id"
			if before {
				field = "before_id"
			}
			return app.Invalid(field, "That document is not a child of the new parent.")
		} else if err != nil {
			return err
		}
		rank := RankBetween(lo, hi)
		moved, err := tx.MoveDocument(ctx, id, to.ID, in.ParentID, rank)
		if err != nil {
			return err
		}
		fromParent := cur.ParentID
		out = cur
		out.SpaceID, out.ParentID, out.Rank = to.ID, in.ParentID, rank
		data := map[string]any{"rank": rank, "from_space_id": from.ID, "from_parent_id": fromParent}
		if len(moved) > 1 {
			data["ids"] = moved
		}
		ev := documentEvent(app.EventDocumentMoved, out, data)
		ev.At = tx.Now()
		return tx.AppendEvent(ctx, ev)
	})
	return out, err
}
