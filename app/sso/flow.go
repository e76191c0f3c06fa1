package sso

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"nexus/app"
	"nexus/app/auth"
)

// Failure codes, sent to the sign-in page as ?sso_error=<code>.
const (
	FailStateMismatch   = "state_mismatch"
	FailNonceMismatch   = "nonce_mismatch"
	FailEmailUnverified = "email_unverified"
	FailDomainNotAllow  = "domain_not_allowed"
	FailNoAccount       = "no_account"
	FailDisabled        = "disabled"
	FailProviderError   = "provider_error"
)

// Failure is a refused SSO sign-in. Code is shown to the person (as a
// translated message); Reason and Err are for the audit log and the server
// log.
type Failure struct {
	Code   string
	Reason string
	Email  string
	Err    error
}

func (f *Failure) Error() string {
	if f.Err != nil {
		return fmt.Sprintf("sso sign-in refused: %s (%s): %v", f.Code, f.Reason, f.Err)
	}
	return fmt.Sprintf("sso sign-in refused: %s (%s)", f.Code, f.Reason)
}

func (f *Failure) Unwrap() error { return f.Err }

func fail(code, reason string, err error) *Failure {
	return &Failure{Code: code, Reason: reason, Err: err}
}

var errUnknownProvider = &app.Error{Code: app.CodeNotFound, Message: "There is no such sign-in provider."}

// CallbackPath is where a provider sends the browser back, under the
// server's public URL.
func CallbackPath(providerID string) string { return "/api/v1/auth/sso/" + providerID + "/callback" }

// Start begins a sign-in: it returns the provider URL to send the browser to
// and the sealed state for the nexus_sso cookie. baseURL is this server's
// public origin; returnTo is a relative path to land on afterwards.
func (s *Service) Start(ctx context.Context, providerID, baseURL, returnTo string) (redirect, cookie string, err error) {
	p := s.providers[providerID]
	if p == nil {
		return "", "", errUnknownProvider
	}
	op, _, err := s.discover(ctx, p)
	if err != nil {
		return "", "", fail(FailProviderError, "discovery_failed", err)
	}
	st := &flowState{Provider: providerID, RedirectURL: strings.TrimRight(baseURL, "/") + CallbackPath(providerID),
		ReturnTo: SafeReturnPath(returnTo), Verifier: oauth2.GenerateVerifier(), Expires: s.now().Add(StateTTL).Unix()}
	if st.State, err = randomToken(); err != nil {
		return "", "", err
	}
	if st.Nonce, err = randomToken(); err != nil {
		return "", "", err
	}
	if cookie, err = s.state.seal(st); err != nil {
		return "", "", err
	}
	redirect = s.oauth2Config(p, op, st.RedirectURL).AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier))
	return redirect, cookie, nil
}

// CallbackInput is what the provider sent back, with the state cookie.
type CallbackInput struct {
	Provider         string
	Code             string
	State            string
	Error            string // the provider's error parameter (e.g. access_denied)
	ErrorDescription string
	Cookie           string
}

// Result is a finished SSO sign-in: a session, or (SignIn.MFA set) a
// challenge for the second factor.
type Result struct {
	SignIn   *auth.SignIn
	ReturnTo string
	Created  bool // the account was created by this sign-in
}

// Callback finishes a sign-in. A refusal is a *Failure and is audited as
// auth.sso_failed.
func (s *Service) Callback(ctx context.Context, in CallbackInput, meta app.RequestMeta) (*Result, error) {
	res, err := s.callback(ctx, in, meta)
	var f *Failure
	if errors.As(err, &f) {
		if f.Code == FailProviderError {
			s.log.WarnContext(ctx, "sso sign-in failed", "provider", in.Provider, "reason", f.Reason, "error", f.Err)
		}
		details := map[string]any{"provider": in.Provider, "code": f.Code, "reason": f.Reason}
		entry := app.AuditEntry{ActorLabel: f.Email, Action: app.ActionSSOFailed, TargetType: "user", IP: meta.IP,
			UserAgent: meta.UserAgent, Result: app.AuditFailure, Details: details}
		if aerr := s.store.Update(ctx, func(tx Tx) error {
			entry.At = tx.Now()
			return tx.AppendAudit(ctx, entry)
		}); aerr != nil {
			return nil, aerr
		}
	}
	return res, err
}

func (s *Service) callback(ctx context.Context, in CallbackInput, meta app.RequestMeta) (*Result, error) {
	p := s.providers[in.Provider]
	if p == nil {
		return nil, fail(FailProviderError, "unknown_provider", nil)
	}
	st, err := s.state.open(in.Cookie, s.now())
	if err != nil {
		return nil, fail(FailStateMismatch, "state_cookie", err)
	}
	if st.Provider != in.Provider || in.State == "" || subtle.ConstantTimeCompare([]byte(st.State), []byte(in.State)) != 1 {
		return nil, fail(FailStateMismatch, "state_mismatch", nil)
	}
	if in.Error != "" {
		return nil, fail(FailProviderError, "provider_refused", fmt.Errorf("%s: %s", in.Error, in.ErrorDescription))
	}
	if in.Code == "" {
		return nil, fail(FailProviderError, "no_code", nil)
	}
	op, verifier, err := s.discover(ctx, p)
	if err != nil {
		return nil, fail(FailProviderError, "discovery_failed", err)
	}
	token, err := s.oauth2Config(p, op, st.RedirectURL).Exchange(context.WithValue(ctx, oauth2.HTTPClient, s.client),
		in.Code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return nil, fail(FailProviderError, "code_exchange", err)
	}
	rawID, _ := token.Extra("id_token").(string)
	if rawID == "" {
		return nil, fail(FailProviderError, "no_id_token", nil)
	}
	idt, err := verifier.Verify(oidc.ClientContext(ctx, s.client), rawID)
	if err != nil {
		return nil, fail(FailProviderError, "id_token_invalid", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return nil, fail(FailNonceMismatch, "nonce_mismatch", nil)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, fail(FailProviderError, "claims", err)
	}
	c, ferr := s.readClaims(p, idt.Subject, claims)
	if ferr != nil {
		return nil, ferr
	}
	res, err := s.signIn(ctx, p, c, meta)
	if err != nil {
		return nil, err
	}
	res.ReturnTo = st.ReturnTo
	return res, nil
}

// identityClaims are the parts of an ID token a sign-in uses.
type identityClaims struct {
	subject string
	email   string
	name    string
	groups  []string
}

func (s *Service) readClaims(p *provider, subject string, claims map[string]any) (*identityClaims, *Failure) {
	if subject == "" {
		return nil, fail(FailProviderError, "no_subject", nil)
	}
	rawEmail, _ := claims[p.cfg.EmailClaim].(string)
	email, err := app.NormalizeEmail(rawEmail)
	if err != nil {
		return nil, fail(FailProviderError, "no_email", nil)
	}
	if !isTrue(claims["email_verified"]) {
		f := fail(FailEmailUnverified, "email_unverified", nil)
		f.Email = email
		return nil, f
	}
	if !domainAllowed(email, p.cfg.AllowedDomains) {
		f := fail(FailDomainNotAllow, "domain_not_allowed", nil)
		f.Email = email
		return nil, f
	}
	c := &identityClaims{subject: subject, email: email, groups: stringList(claims[p.cfg.GroupsClaim])}
	for _, key := range []string{p.cfg.NameClaim, "name", "preferred_username"} {
		raw, _ := claims[key].(string)
		if name, err := app.NormalizeName(truncateRunes(raw, app.MaxNameLength)); err == nil {
			c.name = name
			break
		}
	}
	if c.name == "" {
		c.name = email[:strings.IndexByte(email, '@')]
	}
	return c, nil
}

// signIn resolves the account (existing link, link by email, or a new
// account), syncs mapped teams and starts the session, in one transaction.
func (s *Service) signIn(ctx context.Context, p *provider, c *identityClaims, meta app.RequestMeta) (*Result, error) {
	res := &Result{}
	var refused *Failure
	err := s.store.Update(ctx, func(tx Tx) error {
		now := tx.Now()
		user, linked, err := s.resolveUser(ctx, tx, p, c)
		if err != nil {
			return err
		}
		if user == nil {
			if !s.cfg.AutoCreate {
				refused = &Failure{Code: FailNoAccount, Reason: "no_account", Email: c.email}
				return nil
			}
			if !s.cfg.LinkByEmail {
				// An account has this email but linking by email is off.
				if _, err := tx.FindSSOUserByEmail(ctx, c.email); err == nil {
					refused = &Failure{Code: FailNoAccount, Reason: "email_taken", Email: c.email}
					return nil
				} else if !app.IsNotFound(err) {
					return err
				}
			}
			user = &app.User{ID: app.NewID(), Email: c.email, Name: c.name, Role: s.cfg.DefaultRole, Status: app.UserActive,
				CreatedAt: now, UpdatedAt: now}
			if err := tx.CreateUser(ctx, user); err != nil {
				return err
			}
			if err := tx.AppendEvent(ctx, app.Event{Type: app.EventUserCreated, ResourceType: "user", ResourceID: user.ID, At: now,
				Data: map[string]any{"id": user.ID, "name": user.Name, "role": string(user.Role)}}); err != nil {
				return err
			}
			if err := tx.AppendAudit(ctx, app.AuditEntry{At: now, ActorID: user.ID, ActorLabel: "sso:" + p.cfg.ID, Action: app.ActionUserCreated,
				TargetType: "user", TargetID: user.ID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditSuccess,
				Details: map[string]any{"role": string(user.Role), "email": user.Email, "provider": p.cfg.ID}}); err != nil {
				return err
			}
			res.Created = true
		}
		if user.Status != app.UserActive {
			refused = &Failure{Code: FailDisabled, Reason: "disabled", Email: user.Email}
			return nil
		}
		if err := tx.SaveSSOIdentity(ctx, &Identity{Provider: p.cfg.ID, Subject: c.subject, UserID: user.ID, Email: c.email,
			CreatedAt: now, LastLoginAt: now}); err != nil {
			return err
		}
		if err := s.syncTeams(ctx, tx, p, user, c.groups, meta); err != nil {
			return err
		}
		if user.MFAEnabled {
			// The account's own second factor still applies; the session
			// starts after it (auth.CompleteMFA audits the sign-in).
			res.SignIn, err = s.sessions.ChallengeMFA(user, "sso:"+p.cfg.ID, false)
			return err
		}
		details := map[string]any{"provider": p.cfg.ID, "method": "sso"}
		if res.Created {
			details["created"] = true
		} else if linked {
			details["linked"] = true
		}
		if err := tx.AppendAudit(ctx, app.AuditEntry{At: now, ActorID: user.ID, ActorLabel: user.Email, Action: app.ActionSSOLogin,
			TargetType: "user", TargetID: user.ID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditSuccess,
			Details: details}); err != nil {
			return err
		}
		res.SignIn, err = s.sessions.StartSession(ctx, tx, user, meta)
		return err
	})
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return nil, refused
	}
	return res, nil
}

// resolveUser finds the account for a verified identity: the linked one,
// or (by policy) the one with the same email. linked reports a new link.
func (s *Service) resolveUser(ctx context.Context, tx Tx, p *provider, c *identityClaims) (user *app.User, linked bool, err error) {
	id, err := tx.FindSSOIdentity(ctx, p.cfg.ID, c.subject)
	if err != nil && !app.IsNotFound(err) {
		return nil, false, err
	}
	if id != nil {
		user, err = tx.FindUserByID(ctx, id.UserID)
		if err != nil && !app.IsNotFound(err) {
			return nil, false, err
		}
		// A deleted account keeps its row but gave up its email; the
		// person may get a new account, and the link moves to it.
		if user != nil && !user.Deleted() {
			return user, false, nil
		}
	}
	if !s.cfg.LinkByEmail {
		return nil, false, nil
	}
	user, err = tx.FindSSOUserByEmail(ctx, c.email)
	if app.IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return user, true, nil
}

// syncTeams puts the user in the teams their provider groups map to and
// takes them out of mapped teams whose groups they left. Teams that are not
// mapped are never touched.
func (s *Service) syncTeams(ctx context.Context, tx Tx, p *provider, user *app.User, groups []string, meta app.RequestMeta) error {
	if len(p.cfg.GroupTeams) == 0 {
		return nil
	}
	mappedSet, wantedSet := map[string]bool{}, map[string]bool{}
	for _, team := range p.cfg.GroupTeams {
		mappedSet[team] = true
	}
	for _, g := range groups {
		if team, ok := p.cfg.GroupTeams[g]; ok {
			wantedSet[team] = true
		}
	}
	sync, err := tx.SyncSSOTeams(ctx, user.ID, sortedKeys(mappedSet), sortedKeys(wantedSet))
	if err != nil {
		return err
	}
	now := tx.Now()
	actor := "sso:" + p.cfg.ID
	entry := func(action string, t TeamRef, details map[string]any) app.AuditEntry {
		details["team_name"], details["provider"] = t.Name, p.cfg.ID
		return app.AuditEntry{At: now, ActorLabel: actor, Action: action, TargetType: "team", TargetID: t.ID,
			IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditSuccess, Details: details}
	}
	for _, t := range sync.Created {
		if err := tx.AppendAudit(ctx, entry(app.ActionTeamCreated, t, map[string]any{})); err != nil {
			return err
		}
	}
	for _, t := range sync.Added {
		if err := tx.AppendEvent(ctx, app.Event{Type: app.EventTeamMemberAdded, ResourceType: "team", ResourceID: t.ID, At: now,
			Data: map[string]any{"team_id": t.ID, "user_id": user.ID}}); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, entry(app.ActionTeamMemberAdded, t, map[string]any{"user_id": user.ID, "user_email": user.Email})); err != nil {
			return err
		}
	}
	for _, t := range sync.Removed {
		if err := tx.AppendEvent(ctx, app.Event{Type: app.EventTeamMemberRemoved, ResourceType: "team", ResourceID: t.ID, At: now,
			Data: map[string]any{"team_id": t.ID, "user_id": user.ID}}); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, entry(app.ActionTeamMemberRemoved, t, map[string]any{"user_id": user.ID, "user_email": user.Email})); err != nil {
			return err
		}
	}
	return nil
}

// SafeReturnPath keeps only a same-site path ("/kb/42?x=1"); anything else
// (another host, a scheme, "//evil", backslashes, API paths) becomes "/".
func SafeReturnPath(p string) string {
	if p == "" || len(p) > 512 || p[0] != '/' || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/api/") ||
		strings.ContainsRune(p, '\\') || !utf8.ValidString(p) {
		return "/"
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return "/"
		}
	}
	return p
}

func isTrue(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return strings.EqualFold(b, "true")
	}
	return false
}

func domainAllowed(email string, allowed []string) bool {
	if len(allowed) == 0 {
		return true
	}
	domain := email[strings.LastIndexByte(email, '@')+1:]
	for _, d := range allowed {
		if strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(d), "@"), domain) {
			return true
		}
	}
	return false
}

// stringList reads a groups claim: a list of strings, or one string.
func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
