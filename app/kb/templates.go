package kb

import (
	"context"
	"strings"
	"time"

	"nexus/app"
	"nexus/app/authz"
)

// TemplateInput creates or changes a template. SpaceID "" is an
// organisation-wide template (administrators); a space's templates need
// edit on the space.
type TemplateInput struct {
	SpaceID     string
	Name        string
	Description string
	Title       string
	Body        string
}

// TemplateUpdate changes a template; nil fields stay.
type TemplateUpdate struct {
	Name        *string
	Description *string
	Title       *string
	Body        *string
	Version     int64
}

func (in *TemplateInput) clean() error {
	var err error
	if in.Name, err = cleanText("name", in.Name, true, MaxTemplateRunes, false); err != nil {
		return err
	}
	if in.Description, err = cleanText("description", in.Description, false, MaxDescriptionRunes, true); err != nil {
		return err
	}
	if in.Title, err = cleanText("title", in.Title, false, MaxTitleRunes, false); err != nil {
		return err
	}
	return checkBody(in.Body)
}

// Templates lists the organisation's templates and those of the spaces p
// may see (of spaceID only, when given).
func (s *Service) Templates(ctx context.Context, p *app.Principal, spaceID string) ([]Template, error) {
	if spaceID != "" {
		if _, err := s.loadSpace(ctx, p, spaceID, authz.View); err != nil {
			return nil, err
		}
	}
	vis, err := s.authz.VisibleResources(ctx, p, authz.Space)
	if err != nil {
		return nil, err
	}
	return s.store.FindTemplates(ctx, spaceID, vis)
}

// canWriteTemplate checks who may change a template of spaceID.
func (s *Service) canWriteTemplate(ctx context.Context, p *app.Principal, spaceID string) error {
	if spaceID == "" {
		return authz.RequireGlobal(p, authz.ManageSettings)
	}
	_, err := s.loadSpace(ctx, p, spaceID, authz.Edit)
	return err
}

// Template returns one template p may see.
func (s *Service) Template(ctx context.Context, p *app.Principal, id string) (*Template, error) {
	t, err := s.store.FindTemplateByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.SpaceID != "" {
		if _, err := s.loadSpace(ctx, p, t.SpaceID, authz.View); err != nil {
			return nil, errNotFound("Template")
		}
	} else if p == nil {
		return nil, errNotFound("Template")
	}
	return t, nil
}

// CreateTemplate adds a template.
func (s *Service) CreateTemplate(ctx context.Context, p *app.Principal, in TemplateInput) (*Template, error) {
	if err := s.canWriteTemplate(ctx, p, in.SpaceID); err != nil {
		return nil, err
	}
	if err := in.clean(); err != nil {
		return nil, err
	}
	t := &Template{ID: app.NewID(), SpaceID: in.SpaceID, Name: in.Name, Description: in.Description, Title: in.Title,
		Body: in.Body, CreatedBy: p.User.ID, Version: 1}
	err := s.store.Update(ctx, func(tx Tx) error {
		t.CreatedAt, t.UpdatedAt = tx.Now(), tx.Now()
		return tx.CreateTemplate(ctx, t)
	})
	return t, err
}

// UpdateTemplate changes a template (optimistic concurrency on Version).
func (s *Service) UpdateTemplate(ctx context.Context, p *app.Principal, id string, up TemplateUpdate) (*Template, error) {
	t, err := s.Template(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.canWriteTemplate(ctx, p, t.SpaceID); err != nil {
		return nil, err
	}
	if up.Version <= 0 {
		return nil, app.Invalid("version", "Send the version of the template you are changing.")
	}
	var out *Template
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.FindTemplateByID(ctx, id)
		if err != nil {
			return err
		}
		if cur.Version != up.Version {
			return &app.Error{Code: app.CodeConflict, Message: "Someone else changed this template. Reload it and try again.",
				Details: map[string]any{"current_version": cur.Version}}
		}
		in := TemplateInput{SpaceID: cur.SpaceID, Name: cur.Name, Description: cur.Description, Title: cur.Title, Body: cur.Body}
		for dst, src := range map[*string]*string{&in.Name: up.Name, &in.Description: up.Description, &in.Title: up.Title, &in.Body: up.Body} {
			if src != nil {
				*dst = *src
			}
		}
		if err := in.clean(); err != nil {
			return err
		}
		cur.Name, cur.Description, cur.Title, cur.Body = in.Name, in.Description, in.Title, in.Body
		cur.UpdatedAt, cur.Version = tx.Now(), cur.Version+1
		out = cur
		return tx.UpdateTemplate(ctx, cur)
	})
	return out, err
}

// DeleteTemplate deletes a template.
func (s *Service) DeleteTemplate(ctx context.Context, p *app.Principal, id string) error {
	t, err := s.Template(ctx, p, id)
	if err != nil {
		return err
	}
	if err := s.canWriteTemplate(ctx, p, t.SpaceID); err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error { return tx.DeleteTemplate(ctx, id) })
}

// applyTemplate fills an empty title and body of in from a template of the
// organisation or of the document's space: {date} (the author's date, in
// their time zone when set), {author} and {title}.
func (s *Service) applyTemplate(ctx context.Context, p *app.Principal, sp *Space, in *DocumentInput) error {
	t, err := s.Template(ctx, p, in.TemplateID)
	if app.IsNotFound(err) || err == nil && t.SpaceID != "" && t.SpaceID != sp.ID {
		return app.Invalid("template_id", "That template does not exist in this space.")
	} else if err != nil {
		return err
	}
	now := s.now()
	if p.User.Timezone != "" {
		if loc, err := time.LoadLocation(p.User.Timezone); err == nil {
			now = now.In(loc)
		}
	}
	vars := strings.NewReplacer("{date}", now.Format("2006-01-02"), "{author}", p.User.Name)
	if strings.TrimSpace(in.Title) == "" {
		in.Title = strings.ReplaceAll(vars.Replace(t.Title), "{title}", "")
		if strings.TrimSpace(in.Title) == "" {
			in.Title = t.Name
		}
	}
	if in.Body == "" {
		in.Body = strings.ReplaceAll(vars.Replace(t.Body), "{title}", strings.TrimSpace(in.Title))
	}
	return nil
}
