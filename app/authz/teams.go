package authz

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"nexus/app"
)

// Limits on team fields, in characters so Korean names get the same room
// as English ones.
const (
	MaxTeamNameLength        = 100
	MaxTeamDescriptionLength = 1000
)

// TeamInput creates a team.
type TeamInput struct {
	Name        string
	Description string
}

// TeamUpdate changes a team; nil fields stay as they are. Version must be
// the version the client last read.
type TeamUpdate struct {
	Name        *string
	Description *string
	Version     int64
}

// Teams lists every team by name, with member counts.
func (s *Service) Teams(ctx context.Context, p *app.Principal) ([]Team, error) {
	if err := RequireGlobal(p, ManageTeams); err != nil {
		return nil, err
	}
	return s.store.FindTeams(ctx)
}

// Team returns one team.
func (s *Service) Team(ctx context.Context, p *app.Principal, id string) (*Team, error) {
	if err := RequireGlobal(p, ManageTeams); err != nil {
		return nil, err
	}
	return s.store.FindTeamByID(ctx, id)
}

// TeamMembers lists a team's users by name.
func (s *Service) TeamMembers(ctx context.Context, p *app.Principal, teamID string) ([]app.User, error) {
	if err := RequireGlobal(p, ManageTeams); err != nil {
		return nil, err
	}
	if _, err := s.store.FindTeamByID(ctx, teamID); err != nil {
		return nil, err
	}
	return s.store.FindTeamMembers(ctx, teamID)
}

// CreateTeam adds an empty team.
func (s *Service) CreateTeam(ctx context.Context, p *app.Principal, in TeamInput, meta app.RequestMeta) (*Team, error) {
	if err := RequireGlobal(p, ManageTeams); err != nil {
		return nil, err
	}
	name, err := normalizeTeamName(in.Name)
	if err != nil {
		return nil, err
	}
	desc, err := normalizeTeamDescription(in.Description)
	if err != nil {
		return nil, err
	}
	var t *Team
	err = s.store.Update(ctx, func(tx Tx) error {
		now := tx.Now()
		t = &Team{ID: app.NewID(), Name: name, Description: desc, Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateTeam(ctx, t); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actorEntry(p, meta, now, app.ActionTeamCreated, "team", t.ID,
			map[string]any{"name": t.Name}))
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// UpdateTeam renames a team or changes its description. A stale version is
// a conflict carrying the current version.
func (s *Service) UpdateTeam(ctx context.Context, p *app.Principal, id string, upd TeamUpdate, meta app.RequestMeta) (*Team, error) {
	if err := RequireGlobal(p, ManageTeams); err != nil {
		return nil, err
	}
	if upd.Version <= 0 {
		return nil, app.Invalid("version", "Send the version of the team you are changing.")
	}
	var name, desc string
	var err error
	if upd.Name != nil {
		if name, err = normalizeTeamName(*upd.Name); err != nil {
			return nil, err
		}
	}
	if upd.Description != nil {
		if desc, err = normalizeTeamDescription(*upd.Description); err != nil {
			return nil, err
		}
	}
	var t *Team
	err = s.store.Update(ctx, func(tx Tx) error {
		if t, err = tx.FindTeamByID(ctx, id); err != nil {
			return err
		}
		if t.Version != upd.Version {
			return staleTeam(t.Version)
		}
		before := map[string]any{}
		after := map[string]any{}
		if upd.Name != nil && name != t.Name {
			before["name"], after["name"] = t.Name, name
			t.Name = name
		}
		if upd.Description != nil && desc != t.Description {
			before["description"], after["description"] = t.Description, desc
			t.Description = desc
		}
		if len(after) == 0 {
			return nil // nothing changed: no new version, no audit row
		}
		now := tx.Now()
		t.Version++
		t.UpdatedAt = now
		if err := tx.UpdateTeam(ctx, t); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actorEntry(p, meta, now, app.ActionTeamUpdated, "team", t.ID,
			map[string]any{"before": before, "after": after}))
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// DeleteTeam deletes a team, its memberships and every role granted to it.
// Its former members lose that access on their next request.
func (s *Service) DeleteTeam(ctx context.Context, p *app.Principal, id string, meta app.RequestMeta) error {
	if err := RequireGlobal(p, ManageTeams); err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.FindTeamByID(ctx, id)
		if err != nil {
			return err
		}
		members, err := tx.FindTeamMemberIDs(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteTeam(ctx, id); err != nil {
			return err
		}
		now := tx.Now()
		if err := tx.AppendEvent(ctx, app.Event{Type: app.EventTeamDeleted, ResourceType: "team", ResourceID: id, At: now,
			Data: map[string]any{"team_id": id, "user_ids": members}}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actorEntry(p, meta, now, app.ActionTeamDeleted, "team", id,
			map[string]any{"name": t.Name, "member_count": len(members)}))
	})
}

// AddTeamMember puts a user in a team. Adding a member again changes
// nothing and is not an error.
func (s *Service) AddTeamMember(ctx context.Context, p *app.Principal, teamID, userID string, meta app.RequestMeta) error {
	if err := RequireGlobal(p, ManageTeams); err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.FindTeamByID(ctx, teamID)
		if err != nil {
			return err
		}
		u, err := tx.FindUserByID(ctx, userID)
		if app.IsNotFound(err) || err == nil && u.Deleted() {
			return app.Invalid("user_id", "There is no such user.").WithCode(app.CodeNotFound)
		}
		if err != nil {
			return err
		}
		added, err := tx.AddTeamMember(ctx, teamID, userID)
		if err != nil || !added {
			return err
		}
		now := tx.Now()
		if err := tx.AppendEvent(ctx, app.Event{Type: app.EventTeamMemberAdded, ResourceType: "team", ResourceID: teamID,
			At: now, Data: map[string]any{"team_id": teamID, "user_id": userID}}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actorEntry(p, meta, now, app.ActionTeamMemberAdded, "team", teamID,
			map[string]any{"team_name": t.Name, "user_id": u.ID, "user_email": u.Email}))
	})
}

// RemoveTeamMember takes a user out of a team; not_found when they were not
// in it.
func (s *Service) RemoveTeamMember(ctx context.Context, p *app.Principal, teamID, userID string, meta app.RequestMeta) error {
	if err := RequireGlobal(p, ManageTeams); err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.FindTeamByID(ctx, teamID)
		if err != nil {
			return err
		}
		removed, err := tx.RemoveTeamMember(ctx, teamID, userID)
		if err != nil {
			return err
		}
		if !removed {
			return &app.Error{Code: app.CodeNotFound, Message: "That user is not a member of this team.", Err: app.ErrNotFound}
		}
		details := map[string]any{"team_name": t.Name, "user_id": userID}
		if u, err := tx.FindUserByID(ctx, userID); err == nil {
			details["user_email"] = u.Email
		}
		now := tx.Now()
		if err := tx.AppendEvent(ctx, app.Event{Type: app.EventTeamMemberRemoved, ResourceType: "team", ResourceID: teamID,
			At: now, Data: map[string]any{"team_id": teamID, "user_id": userID}}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actorEntry(p, meta, now, app.ActionTeamMemberRemoved, "team", teamID, details))
	})
}

func staleTeam(current int64) error {
	return &app.Error{Code: app.CodeConflict, Message: "Someone else changed this team. Reload it and try again.",
		Details: map[string]any{"current_version": current}}
}

func normalizeTeamName(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", app.Invalid("name", "Team name is required.")
	case !utf8.ValidString(s):
		return "", app.Invalid("name", "Team name must be valid UTF-8 text.")
	case utf8.RuneCountInString(s) > MaxTeamNameLength:
		return "", app.Invalid("name", "Team name is too long (at most 100 characters).").WithDetail("max_length", MaxTeamNameLength)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "", app.Invalid("name", "Team name must not contain control characters.")
	}
	return s, nil
}

func normalizeTeamDescription(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s):
		return "", app.Invalid("description", "Description must be valid UTF-8 text.")
	case utf8.RuneCountInString(s) > MaxTeamDescriptionLength:
		return "", app.Invalid("description", "Description is too long (at most 1000 characters).").WithDetail("max_length", MaxTeamDescriptionLength)
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0:
		return "", app.Invalid("description", "Description must not contain control characters.")
	}
	return s, nil
}
