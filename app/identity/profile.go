package identity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"nexus/app"
)

// ProfileUpdate is a change to the signed-in user's own profile. Nil
// fields stay as they are.
type ProfileUpdate struct {
	Name     *string
	Language *string // "", "en" or "ko"; empty follows the browser
	Timezone *string // an IANA name such as "Asia/Seoul", or empty to follow the browser
	Version  int64
}

// UpdateProfile changes the principal's name, language or time zone.
func (s *Service) UpdateProfile(ctx context.Context, p *app.Principal, in ProfileUpdate, meta app.RequestMeta) (*app.User, error) {
	if in.Version <= 0 {
		return nil, errVersionRequired
	}
	var name, lang, tz string
	var err error
	if in.Name != nil {
		if name, err = app.NormalizeName(*in.Name); err != nil {
			return nil, err
		}
	}
	if in.Language != nil {
		switch lang = strings.TrimSpace(*in.Language); lang {
		case "", "en", "ko":
		default:
			return nil, app.Invalid("language", "Language must be en (English), ko (Korean) or empty to follow the browser.")
		}
	}
	if in.Timezone != nil {
		if tz, err = normalizeTimezone(*in.Timezone); err != nil {
			return nil, err
		}
	}
	var out *app.User
	err = s.update(ctx, func(tx Tx) error {
		u, err := findUser(ctx, tx, p.User.ID)
		if err != nil {
			return err
		}
		if u.Version != in.Version {
			return staleVersion(u.Version)
		}
		var changed []string
		if in.Name != nil && name != u.Name {
			u.Name, changed = name, append(changed, "name")
		}
		if in.Language != nil && lang != u.Language {
			u.Language, changed = lang, append(changed, "language")
		}
		if in.Timezone != nil && tz != u.Timezone {
			u.Timezone, changed = tz, append(changed, "timezone")
		}
		out = u
		if len(changed) == 0 {
			return nil
		}
		return s.saveProfile(ctx, tx, p, u, changed, meta)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// saveProfile writes u and records which profile fields changed.
func (s *Service) saveProfile(ctx context.Context, tx Tx, p *app.Principal, u *app.User, changed []string, meta app.RequestMeta) error {
	if err := tx.UpdateUserAccount(ctx, u); err != nil {
		return err
	}
	now := tx.Now()
	if err := tx.AppendAudit(ctx, audit(p, meta, now, app.ActionUserProfileUpdated, u.ID,
		map[string]any{"fields": changed})); err != nil {
		return err
	}
	return tx.AppendEvent(ctx, userEvent(app.EventUserUpdated, u, now))
}

// normalizeTimezone accepts an IANA zone name known to this machine's (or
// Go's embedded) zone database, or empty.
func normalizeTimezone(tz string) (string, error) {
	tz = strings.TrimSpace(tz)
	if tz == "" {
		return "", nil
	}
	// "Local" would mean the server's zone, which is nobody's.
	if tz == "Local" || len(tz) > 64 {
		return "", errBadTimezone
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return "", errBadTimezone
	}
	return tz, nil
}

var errBadTimezone = app.Invalid("timezone", "Time zone must be an IANA name such as Asia/Seoul or Europe/Berlin, or empty to follow the browser.")

// SetAvatar replaces the principal's avatar with the uploaded image, which
// is checked by content, decoded and re-encoded as a 256×256 PNG: nothing
// of the uploaded file but its pixels is kept or served.
func (s *Service) SetAvatar(ctx context.Context, p *app.Principal, upload []byte, meta app.RequestMeta) (*app.User, error) {
	png, err := processAvatar(upload)
	if err != nil {
		return nil, err
	}
	var out *app.User
	err = s.update(ctx, func(tx Tx) error {
		u, err := findUser(ctx, tx, p.User.ID)
		if err != nil {
			return err
		}
		if err := tx.PutAvatar(ctx, u.ID, png); err != nil {
			return err
		}
		u.AvatarUpdatedAt = tx.Now()
		out = u
		return s.saveProfile(ctx, tx, p, u, []string{"avatar"}, meta)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteAvatar removes the principal's avatar.
func (s *Service) DeleteAvatar(ctx context.Context, p *app.Principal, meta app.RequestMeta) (*app.User, error) {
	var out *app.User
	err := s.update(ctx, func(tx Tx) error {
		u, err := findUser(ctx, tx, p.User.ID)
		if err != nil {
			return err
		}
		out = u
		if u.AvatarUpdatedAt.IsZero() {
			return nil
		}
		if err := tx.DeleteAvatar(ctx, u.ID); err != nil {
			return err
		}
		u.AvatarUpdatedAt = time.Time{}
		return s.saveProfile(ctx, tx, p, u, []string{"avatar"}, meta)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

var errNoAvatar = &app.Error{Code: app.CodeNotFound, Message: "This user has no avatar."}

// Avatar returns a user's avatar PNG to any signed-in user.
func (s *Service) Avatar(ctx context.Context, p *app.Principal, userID string) ([]byte, error) {
	if p == nil {
		return nil, &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
	}
	png, err := s.store.FindAvatar(ctx, userID)
	if app.IsNotFound(err) {
		return nil, errNoAvatar
	}
	if err != nil {
		return nil, fmt.Errorf("find avatar: %w", err)
	}
	return png, nil
}
