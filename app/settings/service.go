package settings

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"nexus/app"
	"nexus/app/authz"
)

// Registration policies.
const (
	RegistrationInvite = "invite"
	RegistrationOpen   = "open"
	RegistrationDomain = "domain"
)

// MaxRegistrationDomains bounds the list of allowed email domains.
const MaxRegistrationDomains = 100

// Keys of the security settings in the settings table. Each field is its
// own key, so a field an administrator never saved keeps following the
// configuration file.
const (
	keyRegistration        = "security.registration"
	keyRegistrationDomains = "security.registration_domains"
	keyMFARequired         = "security.mfa_required"
	keyPasswordLogin       = "security.password_login"
	keySecurityVersion     = "security.version"
	securityPrefix         = "security."
)

// Store is what the settings use-cases need from storage.
type Store interface {
	// FindSettings returns the saved values (JSON) of the keys starting
	// with prefix.
	FindSettings(ctx context.Context, prefix string) (map[string]string, error)
	Update(ctx context.Context, fn func(Tx) error) error
}

// Tx is a write transaction.
type Tx interface {
	Now() time.Time
	FindSettings(ctx context.Context, prefix string) (map[string]string, error)
	// PutSetting saves a JSON value under key.
	PutSetting(ctx context.Context, key, value, updatedBy string) error
	AppendAudit(ctx context.Context, e app.AuditEntry) error
	AppendEvent(ctx context.Context, e app.Event) error
}

// Service stores settings and serves them from memory.
//
// The security settings are read on every sign-in and many requests, so
// Security answers from an in-memory copy. That copy cannot go stale: the
// settings table is written only through UpdateSecurity, which replaces the
// copy after its transaction commits, and Nexus runs as one process on its
// data directory.
type Service struct {
	store         Store
	defaults      Security
	ssoConfigured bool

	current atomic.Pointer[Security]
	loadMu  sync.Mutex // one load at a time
	writeMu sync.Mutex // updates, and their cache replacement, in commit order
}

// NewService returns the settings service. defaults are the values from the
// configuration file; ssoConfigured says whether any SSO provider is
// configured (password sign-in can only be turned off then).
func NewService(store Store, defaults Security, ssoConfigured bool) *Service {
	defaults.RegistrationDomains = normalizeDefaults(defaults.RegistrationDomains)
	if defaults.Registration == "" {
		defaults.Registration = RegistrationInvite
	}
	return &Service{store: store, defaults: defaults, ssoConfigured: ssoConfigured}
}

var _ Reader = (*Service)(nil)

// Load reads the saved settings into memory. Security calls it on first
// use; calling it at start (after migrations) surfaces a broken table early.
func (s *Service) Load(ctx context.Context) error {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	saved, err := s.store.FindSettings(ctx, securityPrefix)
	if err != nil {
		return fmt.Errorf("load security settings: %w", err)
	}
	sec, err := s.merge(saved)
	if err != nil {
		return err
	}
	s.current.CompareAndSwap(nil, &sec)
	return nil
}

// Security returns the effective security settings: saved values, else the
// configuration file's. It is a memory read after the first call.
func (s *Service) Security(ctx context.Context) (Security, error) {
	if cur := s.current.Load(); cur != nil {
		return cur.clone(), nil
	}
	if err := s.Load(ctx); err != nil {
		return Security{}, err
	}
	return s.current.Load().clone(), nil
}

func (sec Security) clone() Security {
	sec.RegistrationDomains = slices.Clone(sec.RegistrationDomains)
	if sec.RegistrationDomains == nil {
		sec.RegistrationDomains = []string{}
	}
	return sec
}

// merge lays saved values over the defaults.
func (s *Service) merge(saved map[string]string) (Security, error) {
	sec := s.defaults.clone()
	sec.Version = 1
	for key, dst := range map[string]any{
		keyRegistration:        &sec.Registration,
		keyRegistrationDomains: &sec.RegistrationDomains,
		keyMFARequired:         &sec.MFARequired,
		keyPasswordLogin:       &sec.PasswordLogin,
		keySecurityVersion:     &sec.Version,
	} {
		if raw, ok := saved[key]; ok {
			if err := json.Unmarshal([]byte(raw), dst); err != nil {
				return Security{}, fmt.Errorf("decode setting %s: %w", key, err)
			}
		}
	}
	if sec.RegistrationDomains == nil {
		sec.RegistrationDomains = []string{}
	}
	// Password sign-in can only be off while an SSO provider exists; if the
	// providers were removed from the configuration since, nobody could sign
	// in, so the saved "off" yields until one is configured again.
	if !sec.PasswordLogin && !s.ssoConfigured {
		sec.PasswordLogin = true
	}
	return sec, nil
}

// SecurityPatch changes some security settings; nil fields stay as they are.
type SecurityPatch struct {
	Registration        *string
	RegistrationDomains *[]string
	MFARequired         *bool
	PasswordLogin       *bool
}

func errStale(current int64) error {
	return &app.Error{Code: app.CodeConflict, Message: "Someone else changed these settings. Reload them and try again.",
		Details: map[string]any{"current_version": current}}
}

// UpdateSecurity saves a change to the security settings. version must be
// the version the client last read; a stale one is a conflict carrying the
// current version. The change is audited as settings.changed with the values
// before and after, and every reader sees it as soon as this returns.
func (s *Service) UpdateSecurity(ctx context.Context, p *app.Principal, patch SecurityPatch, version int64, meta app.RequestMeta) (Security, error) {
	if err := authz.RequireGlobal(p, authz.ManageSettings); err != nil {
		return Security{}, err
	}
	if version <= 0 {
		return Security{}, app.Invalid("version", "Send the version of the settings you are changing.")
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var after Security
	changed := false
	err := s.store.Update(ctx, func(tx Tx) error {
		saved, err := tx.FindSettings(ctx, securityPrefix)
		if err != nil {
			return fmt.Errorf("read security settings: %w", err)
		}
		before, err := s.merge(saved)
		if err != nil {
			return err
		}
		if before.Version != version {
			return errStale(before.Version)
		}
		after = before.clone()
		if err := s.apply(&after, patch); err != nil {
			return err
		}
		writes := map[string]any{}
		if patch.Registration != nil && after.Registration != before.Registration {
			writes[keyRegistration] = after.Registration
		}
		if patch.RegistrationDomains != nil && !slices.Equal(after.RegistrationDomains, before.RegistrationDomains) {
			writes[keyRegistrationDomains] = after.RegistrationDomains
		}
		if patch.MFARequired != nil && after.MFARequired != before.MFARequired {
			writes[keyMFARequired] = after.MFARequired
		}
		if patch.PasswordLogin != nil && after.PasswordLogin != before.PasswordLogin {
			writes[keyPasswordLogin] = after.PasswordLogin
		}
		if len(writes) == 0 {
			return nil // nothing changed: same version, no audit row
		}
		changed = true
		after.Version = before.Version + 1
		writes[keySecurityVersion] = after.Version
		for key, v := range writes {
			raw, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("encode setting %s: %w", key, err)
			}
			if err := tx.PutSetting(ctx, key, string(raw), p.User.ID); err != nil {
				return err
			}
		}
		now := tx.Now()
		if err := tx.AppendEvent(ctx, app.Event{Type: app.EventSettingsChanged, ResourceType: "settings", ResourceID: "security",
			At: now, Data: map[string]any{"section": "security", "version": after.Version}}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, app.AuditEntry{At: now, ActorID: p.User.ID, ActorLabel: p.User.Email,
			Action: app.ActionSettingsChanged, TargetType: "settings", TargetID: "security", IP: meta.IP,
			UserAgent: meta.UserAgent, Result: app.AuditSuccess,
			Details: map[string]any{"section": "security", "before": before.auditView(), "after": after.auditView()}})
	})
	if err != nil {
		return Security{}, err
	}
	if changed {
		stored := after.clone()
		s.current.Store(&stored)
	}
	return after.clone(), nil
}

// apply validates patch against sec and applies it.
func (s *Service) apply(sec *Security, patch SecurityPatch) error {
	if patch.Registration != nil {
		switch r := strings.TrimSpace(*patch.Registration); r {
		case RegistrationInvite, RegistrationOpen, RegistrationDomain:
			sec.Registration = r
		default:
			return app.Invalid("registration", "Registration must be invite, open or domain.")
		}
	}
	if patch.RegistrationDomains != nil {
		domains, err := normalizeDomains(*patch.RegistrationDomains)
		if err != nil {
			return err
		}
		sec.RegistrationDomains = domains
	}
	if sec.Registration == RegistrationDomain && len(sec.RegistrationDomains) == 0 {
		return app.Invalid("registration_domains", "List at least one email domain when registration is limited to domains.")
	}
	if patch.MFARequired != nil {
		sec.MFARequired = *patch.MFARequired
	}
	if patch.PasswordLogin != nil {
		if !*patch.PasswordLogin && !s.ssoConfigured {
			return app.Invalid("password_login", "Password sign-in can only be turned off when an SSO provider is configured; otherwise nobody could sign in.")
		}
		sec.PasswordLogin = *patch.PasswordLogin
	}
	return nil
}

func (sec Security) auditView() map[string]any {
	return map[string]any{"registration": sec.Registration, "registration_domains": sec.RegistrationDomains,
		"mfa_required": sec.MFARequired, "password_login": sec.PasswordLogin}
}

// normalizeDomains lower-cases, trims, de-duplicates and sorts email
// domains, and rejects anything that is not a domain name. Internationalised
// (e.g. Korean) domain names are accepted as written.
func normalizeDomains(in []string) ([]string, error) {
	out := []string{}
	for _, d := range in {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" {
			continue
		}
		if !validDomain(d) {
			return nil, app.Invalid("registration_domains", fmt.Sprintf("%q is not a domain like example.com.", d))
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	if len(out) > MaxRegistrationDomains {
		return nil, app.Invalid("registration_domains", fmt.Sprintf("List at most %d domains.", MaxRegistrationDomains))
	}
	slices.Sort(out)
	return out, nil
}

func normalizeDefaults(in []string) []string {
	out, err := normalizeDomains(in)
	if err != nil {
		// The configuration was validated at start; keep what it says.
		return slices.Clone(in)
	}
	return out
}

func validDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r == '-' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && unicode.IsLetter(r)) {
				return false
			}
		}
	}
	return true
}
