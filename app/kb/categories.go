package kb

import (
	"context"
	"strings"

	"nexus/app"
	"nexus/app/authz"
)

// CategorySeparator joins a category's path for display.
const CategorySeparator = " › "

// CategoryNode is a category in the taxonomy listing, with its path and the
// number of visible documents in it and in its sub-categories.
type CategoryNode struct {
	Category
	Path       string
	Depth      int
	TotalCount int
}

// Categories lists the whole taxonomy depth first, siblings by name, with
// counts of the documents p may see.
func (s *Service) Categories(ctx context.Context, p *app.Principal) ([]CategoryNode, error) {
	if p == nil {
		return nil, &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
	}
	vis, err := s.authz.VisibleResources(ctx, p, authz.Space)
	if err != nil {
		return nil, err
	}
	cats, err := s.store.FindCategories(ctx, vis)
	if err != nil {
		return nil, err
	}
	return arrangeCategories(cats), nil
}

// arrangeCategories orders categories (sorted by name) depth first and
// fills paths and subtree counts.
func arrangeCategories(cats []Category) []CategoryNode {
	byParent := map[string][]int{}
	present := map[string]bool{}
	for i := range cats {
		present[cats[i].ID] = true
	}
	for i := range cats {
		parent := cats[i].ParentID
		if !present[parent] {
			parent = ""
		}
		byParent[parent] = append(byParent[parent], i)
	}
	out := make([]CategoryNode, 0, len(cats))
	var walk func(parent, path string, depth int) int
	walk = func(parent, path string, depth int) int {
		total := 0
		for _, i := range byParent[parent] {
			c := cats[i]
			p := c.Name
			if path != "" {
				p = path + CategorySeparator + c.Name
			}
			at := len(out)
			out = append(out, CategoryNode{Category: c, Path: p, Depth: depth})
			if depth < 32 { // the taxonomy is shallow; a cycle must not loop
				out[at].TotalCount = c.DocumentCount + walk(c.ID, p, depth+1)
			}
			total += out[at].TotalCount
		}
		return total
	}
	walk("", "", 0)
	return out
}

// categoryRef names a category with its path.
func (s *Service) categoryRef(ctx context.Context, id string) (*CategoryRef, error) {
	var names []string
	cur := id
	for i := 0; cur != "" && i < 32; i++ {
		c, err := s.store.FindCategoryByID(ctx, cur)
		if app.IsNotFound(err) {
			break
		} else if err != nil {
			return nil, err
		}
		names = append([]string{c.Name}, names...)
		cur = c.ParentID
	}
	if len(names) == 0 {
		return nil, nil
	}
	return &CategoryRef{ID: id, Name: names[len(names)-1], Path: strings.Join(names, CategorySeparator)}, nil
}

// CategoryPage is a category with its sub-categories and the documents in
// it and below it that p may see.
type CategoryPage struct {
	Category   CategoryNode
	Children   []CategoryNode
	Documents  []DocRef
	NextCursor string
}

// CategoryPage returns the page of one category.
func (s *Service) CategoryPage(ctx context.Context, p *app.Principal, id, cursor string, limit int) (*CategoryPage, error) {
	all, err := s.Categories(ctx, p)
	if err != nil {
		return nil, err
	}
	page := &CategoryPage{}
	found := -1
	for i := range all {
		if all[i].ID == id {
			found = i
			break
		}
	}
	if found < 0 {
		return nil, errNotFound("Category")
	}
	page.Category = all[found]
	ids := []string{id}
	for i := found + 1; i < len(all) && all[i].Depth > all[found].Depth; i++ {
		ids = append(ids, all[i].ID)
		if all[i].Depth == all[found].Depth+1 {
			page.Children = append(page.Children, all[i])
		}
	}
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	vis, err := s.authz.VisibleResources(ctx, p, authz.Space)
	if err != nil {
		return nil, err
	}
	page.Documents, page.NextCursor, err = s.store.FindCategoryDocuments(ctx, ids, vis, cursor, limit)
	return page, err
}

// CategoryInput creates a category.
type CategoryInput struct {
	ParentID string
	Name     string
}

// CategoryUpdate renames or moves a category; nil fields stay.
type CategoryUpdate struct {
	ParentID *string
	Name     *string
	Version  int64
}

// CreateCategory adds a category (administrators: settings.manage).
func (s *Service) CreateCategory(ctx context.Context, p *app.Principal, in CategoryInput) (*Category, error) {
	if err := authz.RequireGlobal(p, authz.ManageSettings); err != nil {
		return nil, err
	}
	name, err := cleanText("name", in.Name, true, MaxCategoryRunes, false)
	if err != nil {
		return nil, err
	}
	if strings.Contains(name, strings.TrimSpace(CategorySeparator)) {
		return nil, app.Invalid("name", "A category name cannot contain ›.")
	}
	c := &Category{ID: app.NewID(), ParentID: in.ParentID, Name: name, Version: 1}
	err = s.store.Update(ctx, func(tx Tx) error {
		if c.ParentID != "" {
			if _, err := tx.FindCategoryByID(ctx, c.ParentID); err != nil {
				return app.Invalid("parent_id", "The parent category does not exist.")
			}
		}
		c.CreatedAt, c.UpdatedAt = tx.Now(), tx.Now()
		return tx.CreateCategory(ctx, c)
	})
	return c, err
}

// UpdateCategory renames a category or moves it under another
// (administrators).
func (s *Service) UpdateCategory(ctx context.Context, p *app.Principal, id string, up CategoryUpdate) (*Category, error) {
	if err := authz.RequireGlobal(p, authz.ManageSettings); err != nil {
		return nil, err
	}
	if up.Version <= 0 {
		return nil, app.Invalid("version", "Send the version of the category you are changing.")
	}
	var out *Category
	err := s.store.Update(ctx, func(tx Tx) error {
		c, err := tx.FindCategoryByID(ctx, id)
		if err != nil {
			return err
		}
		if c.Version != up.Version {
			return &app.Error{Code: app.CodeConflict, Message: "Someone else changed this category. Reload it and try again.",
				Details: map[string]any{"current_version": c.Version}}
		}
		if up.Name != nil {
			if c.Name, err = cleanText("name", *up.Name, true, MaxCategoryRunes, false); err != nil {
				return err
			}
			if strings.Contains(c.Name, strings.TrimSpace(CategorySeparator)) {
				return app.Invalid("name", "A category name cannot contain ›.")
			}
		}
		if up.ParentID != nil && *up.ParentID != c.ParentID {
			// Walk up from the new parent: meeting the category is a cycle.
			for cur, i := *up.ParentID, 0; cur != ""; i++ {
				if cur == id || i > 32 {
					return app.Invalid("parent_id", "A category cannot be moved under itself.")
				}
				pc, err := tx.FindCategoryByID(ctx, cur)
				if err != nil {
					return app.Invalid("parent_id", "The parent category does not exist.")
				}
				cur = pc.ParentID
			}
			c.ParentID = *up.ParentID
		}
		c.UpdatedAt, c.Version = tx.Now(), c.Version+1
		out = c
		return tx.UpdateCategory(ctx, c)
	})
	return out, err
}

// DeleteCategory deletes a category without sub-categories (administrators);
// its documents keep no category.
func (s *Service) DeleteCategory(ctx context.Context, p *app.Principal, id string) error {
	if err := authz.RequireGlobal(p, authz.ManageSettings); err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.FindCategoryByID(ctx, id); err != nil {
			return err
		}
		return tx.DeleteCategory(ctx, id)
	})
}
