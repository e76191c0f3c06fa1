package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"nexus/app"
	"nexus/app/authz"
)

// UserQuery is an administrator's user search.
type UserQuery struct {
	Query  string
	Role   string
	Status string
	Cursor string
	Limit  int
}

// Users lists users for an administrator and returns the cursor of the next
// page ("" at the end).
func (s *Service) Users(ctx context.Context, p *app.Principal, q UserQuery) ([]app.User, string, error) {
	if err := authz.RequireGlobal(p, authz.ManageUsers); err != nil {
		return nil, "", err
	}
	f := UserFilter{Query: strings.TrimSpace(q.Query), Status: q.Status, Limit: q.Limit}
	if utf8.RuneCountInString(f.Query) > app.MaxEmailLength {
		return nil, "", app.Invalid("query", "The search text is too long.")
	}
	if q.Role != "" {
		r, err := app.ParseRole(q.Role)
		if err != nil {
			return nil, "", err
		}
		f.Role = r
	}
	switch q.Status {
	case "", "active", "disabled", "deleted":
	default:
		return nil, "", app.Invalid("status", "Status must be active, disabled or deleted.")
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if q.Cursor != "" {
		var c UserCursor
		raw, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		if err != nil || json.Unmarshal(raw, &c) != nil || c.ID == "" {
			return nil, "", app.Invalid("cursor", "The cursor is not valid; start from the first page.")
		}
		f.After = &c
	}
	limit := f.Limit
	f.Limit++ // one more tells whether there is a next page
	users, err := s.store.FindUsers(ctx, f)
	if err != nil {
		return nil, "", fmt.Errorf("find users: %w", err)
	}
	next := ""
	if len(users) > limit {
		users = users[:limit]
		last := users[limit-1]
		raw, _ := json.Marshal(UserCursor{Name: last.Name, ID: last.ID})
		next = base64.RawURLEncoding.EncodeToString(raw)
	}
	return users, next, nil
}

// User returns one user for an administrator.
func (s *Service) User(ctx context.Context, p *app.Principal, id string) (*app.User, error) {
	if err := authz.RequireGlobal(p, authz.ManageUsers); err != nil {
		return nil, err
	}
	u, err := s.store.FindUserByID(ctx, id)
	if app.IsNotFound(err) {
		return nil, errUserNotFound
	}
	return u, err
}

// CreateUserInput is an account an administrator creates directly, with a
// password they pass on.
type CreateUserInput struct {
	Email    string
	Name     string
	Role     string
	Password string
}

// CreateUser adds an account. Only owners may create owners.
func (s *Service) CreateUser(ctx context.Context, p *app.Principal, in CreateUserInput, meta app.RequestMeta) (*app.User, error) {
	if err := authz.RequireGlobal(p, authz.ManageUsers); err != nil {
		return nil, err
	}
	email, err := app.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	name, err := app.NormalizeName(in.Name)
	if err != nil {
		return nil, err
	}
	role, err := app.ParseRole(in.Role)
	if err != nil {
		return nil, err
	}
	if role == app.RoleOwner {
		if err := authz.RequireGlobal(p, authz.ManageOwners); err != nil {
			return nil, ownersOnly(err)
		}
	}
	if _, err := s.store.FindUserByEmail(ctx, email); err == nil {
		return nil, errEmailTaken
	}
	hash, err := s.hashPassword(ctx, in.Password, "password")
	if err != nil {
		return nil, err
	}
	var u *app.User
	err = s.update(ctx, func(tx Tx) error {
		now := tx.Now()
		u = &app.User{ID: app.NewID(), Email: email, Name: name, Role: role, Status: app.UserActive,
			PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, userCreatedEvent(u, now)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit(p, meta, now, app.ActionUserCreated, u.ID,
			map[string]any{"email": u.Email, "role": string(u.Role), "method": "admin"}))
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

var errEmailTaken = app.Invalid("email", "A user with this email already exists.").WithCode(app.CodeConflict)

func ownersOnly(err error) error {
	if app.CodeOf(err) == app.CodeForbidden {
		return &app.Error{Code: app.CodeForbidden, Message: "Only an owner can make someone an owner or change an owner's account.",
			Details: map[string]any{"reason": "owner_required"}}
	}
	return err
}

// UserUpdate is an administrator's change to an account. Nil fields stay.
type UserUpdate struct {
	Role    *string
	Status  *string
	Version int64
}

// UpdateUser changes a user's role or status. Disabling ends every session
// and personal access token of the user in the same transaction, so their
// next request is refused. The last active owner can be neither roleChanged
// nor disabled, and only owners may touch owners.
func (s *Service) UpdateUser(ctx context.Context, p *app.Principal, id string, in UserUpdate, meta app.RequestMeta) (*app.User, error) {
	if err := authz.RequireGlobal(p, authz.ManageUsers); err != nil {
		return nil, err
	}
	if in.Version <= 0 {
		return nil, errVersionRequired
	}
	var role app.Role
	if in.Role != nil {
		r, err := app.ParseRole(*in.Role)
		if err != nil {
			return nil, err
		}
		role = r
	}
	var status app.UserStatus
	if in.Status != nil {
		switch app.UserStatus(*in.Status) {
		case app.UserActive, app.UserDisabled:
			status = app.UserStatus(*in.Status)
		default:
			return nil, app.Invalid("status", "Status must be active or disabled.")
		}
	}
	var out *app.User
	err := s.update(ctx, func(tx Tx) error {
		u, err := findUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if u.Deleted() {
			return errUserDeleted
		}
		if u.Version != in.Version {
			return staleVersion(u.Version)
		}
		if u.Role == app.RoleOwner || role == app.RoleOwner {
			if err := authz.RequireGlobal(p, authz.ManageOwners); err != nil {
				return ownersOnly(err)
			}
		}
		now := tx.Now()
		roleChange := role != "" && role != u.Role
		disable := status == app.UserDisabled && u.Status != app.UserDisabled
		enable := status == app.UserActive && u.Status != app.UserActive
		if (roleChange || disable) && u.Role == app.RoleOwner && u.Status == app.UserActive {
			if err := checkNotLastOwner(ctx, tx); err != nil {
				return err
			}
		}
		if disable && u.ID == p.User.ID {
			return &app.Error{Code: app.CodeConflict, Message: "You cannot disable your own account.",
				Details: map[string]any{"reason": "self"}}
		}
		if !roleChange && !disable && !enable {
			out = u
			return nil
		}
		var audits []app.AuditEntry
		if roleChange {
			audits = append(audits, audit(p, meta, now, app.ActionUserRoleChanged, u.ID,
				map[string]any{"from": string(u.Role), "to": string(role), "email": u.Email}))
			u.Role = role
		}
		if disable {
			ended, err := tx.RevokeSessionsOfUser(ctx, u.ID, "", "user_disabled")
			if err != nil {
				return err
			}
			tokens, err := tx.RevokeAccessTokensOfUser(ctx, u.ID)
			if err != nil {
				return err
			}
			audits = append(audits, audit(p, meta, now, app.ActionUserDisabled, u.ID,
				map[string]any{"email": u.Email, "sessions_ended": len(ended), "tokens_revoked": tokens}))
			u.Status = app.UserDisabled
		}
		if enable {
			audits = append(audits, audit(p, meta, now, app.ActionUserEnabled, u.ID, map[string]any{"email": u.Email}))
			u.Status = app.UserActive
		}
		if err := tx.UpdateUserAccount(ctx, u); err != nil {
			return err
		}
		for _, a := range audits {
			if err := tx.AppendAudit(ctx, a); err != nil {
				return err
			}
		}
		out = u
		return tx.AppendEvent(ctx, userEvent(app.EventUserUpdated, u, now))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func checkNotLastOwner(ctx context.Context, tx Tx) error {
	n, err := tx.CountActiveOwners(ctx)
	if err != nil {
		return fmt.Errorf("count owners: %w", err)
	}
	if n <= 1 {
		return errLastOwner
	}
	return nil
}

// DeletedUserName is the name a deleted account keeps, so what the person
// wrote still shows an author. Clients show it translated when a user is
// marked deleted.
const DeletedUserName = "Deleted user"

// DeleteUser deletes an account softly: the row stays (their content keeps
// an author, shown as a deleted user) but the email and name are replaced,
// so the address can be used again, the password is cleared, every session
// and token ends, and the avatar, team memberships and grants go.
func (s *Service) DeleteUser(ctx context.Context, p *app.Principal, id string, meta app.RequestMeta) error {
	if err := authz.RequireGlobal(p, authz.ManageUsers); err != nil {
		return err
	}
	return s.update(ctx, func(tx Tx) error {
		u, err := findUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if u.Deleted() {
			return nil
		}
		if u.Role == app.RoleOwner {
			if err := authz.RequireGlobal(p, authz.ManageOwners); err != nil {
				return ownersOnly(err)
			}
		}
		if u.Role == app.RoleOwner && u.Status == app.UserActive {
			if err := checkNotLastOwner(ctx, tx); err != nil {
				return err
			}
		}
		if u.ID == p.User.ID {
			return &app.Error{Code: app.CodeConflict, Message: "You cannot delete your own account.",
				Details: map[string]any{"reason": "self"}}
		}
		now := tx.Now()
		ended, err := tx.RevokeSessionsOfUser(ctx, u.ID, "", "user_deleted")
		if err != nil {
			return err
		}
		tokens, err := tx.RevokeAccessTokensOfUser(ctx, u.ID)
		if err != nil {
			return err
		}
		if err := tx.DeleteAvatar(ctx, u.ID); err != nil {
			return err
		}
		if err := tx.DeletePasswordResets(ctx, u.ID); err != nil {
			return err
		}
		if err := tx.RemoveUserMemberships(ctx, u.ID); err != nil {
			return err
		}
		details := map[string]any{"email": u.Email, "name": u.Name, "role": string(u.Role),
			"sessions_ended": len(ended), "tokens_revoked": tokens}
		// The .invalid top-level domain can never receive mail (RFC 2606),
		// and the id keeps the placeholder unique.
		u.Email = "deleted-" + u.ID + "@deleted.invalid"
		u.Name = DeletedUserName
		u.Status = app.UserDisabled
		u.PasswordHash, u.Language, u.Timezone = "", "", ""
		u.AvatarUpdatedAt = time.Time{}
		u.DeletedAt = now
		if err := tx.UpdateUserAccount(ctx, u); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, audit(p, meta, now, app.ActionUserDeleted, u.ID, details)); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, userEvent(app.EventUserDeleted, u, now))
	})
}
