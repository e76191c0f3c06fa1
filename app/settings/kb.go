package settings

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"

	"nexus/app"
	"nexus/app/authz"
)

// KB is the knowledge-base settings page.
type KB struct {
	// PublicSharing allows share links. Turning it off makes every existing
	// link answer 404 at once (the links are kept, and work again when it is
	// turned back on, unless they were revoked or expired meanwhile).
	PublicSharing bool `json:"public_sharing"`
	// Version increases with every saved change (optimistic concurrency).
	Version int64 `json:"version"`
}

// KBPatch changes some knowledge-base settings; nil fields stay.
type KBPatch struct {
	PublicSharing *bool
}

const (
	keyKBPublicSharing = "kb.public_sharing"
	keyKBVersion       = "kb.version"
	kbPrefix           = "kb."
)

// KBSettings stores the knowledge-base settings and serves them from memory,
// like Service does the security settings: the table is written only
// through Update, which replaces the copy after its transaction commits.
type KBSettings struct {
	store    Store
	defaults KB

	current atomic.Pointer[KB]
	loadMu  sync.Mutex
	writeMu sync.Mutex
}

// NewKBSettings returns the knowledge-base settings; defaults come from the
// configuration file (kb.public_sharing).
func NewKBSettings(store Store, defaults KB) *KBSettings {
	return &KBSettings{store: store, defaults: defaults}
}

// KB returns the effective settings: saved values, else the configuration
// file's. It is a memory read after the first call.
func (s *KBSettings) KB(ctx context.Context) (KB, error) {
	if cur := s.current.Load(); cur != nil {
		return *cur, nil
	}
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	if cur := s.current.Load(); cur != nil {
		return *cur, nil
	}
	saved, err := s.store.FindSettings(ctx, kbPrefix)
	if err != nil {
		return KB{}, fmt.Errorf("load knowledge-base settings: %w", err)
	}
	kb, err := s.merge(saved)
	if err != nil {
		return KB{}, err
	}
	s.current.Store(&kb)
	return kb, nil
}

func (s *KBSettings) merge(saved map[string]string) (KB, error) {
	kb := s.defaults
	kb.Version = 1
	for key, dst := range map[string]any{keyKBPublicSharing: &kb.PublicSharing, keyKBVersion: &kb.Version} {
		if raw, ok := saved[key]; ok {
			if err := json.Unmarshal([]byte(raw), dst); err != nil {
				return KB{}, fmt.Errorf("decode setting %s: %w", key, err)
			}
		}
	}
	return kb, nil
}

// Update saves a change (authz.ManageSettings). version must be the one the
// client read; a stale one is a conflict with the current version. The
// change is audited as settings.changed (section "kb") and published as a
// settings.changed event.
func (s *KBSettings) Update(ctx context.Context, p *app.Principal, patch KBPatch, version int64, meta app.RequestMeta) (KB, error) {
	if err := authz.RequireGlobal(p, authz.ManageSettings); err != nil {
		return KB{}, err
	}
	if version <= 0 {
		return KB{}, app.Invalid("version", "Send the version of the settings you are changing.")
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var after KB
	changed := false
	err := s.store.Update(ctx, func(tx Tx) error {
		saved, err := tx.FindSettings(ctx, kbPrefix)
		if err != nil {
			return fmt.Errorf("read knowledge-base settings: %w", err)
		}
		before, err := s.merge(saved)
		if err != nil {
			return err
		}
		if before.Version != version {
			return errStale(before.Version)
		}
		after = before
		if patch.PublicSharing == nil || *patch.PublicSharing == before.PublicSharing {
			return nil
		}
		changed = true
		after.PublicSharing = *patch.PublicSharing
		after.Version = before.Version + 1
		for key, v := range map[string]any{keyKBPublicSharing: after.PublicSharing, keyKBVersion: after.Version} {
			raw, _ := json.Marshal(v)
			if err := tx.PutSetting(ctx, key, string(raw), p.User.ID); err != nil {
				return err
			}
		}
		now := tx.Now()
		if err := tx.AppendEvent(ctx, app.Event{Type: app.EventSettingsChanged, ResourceType: "settings", ResourceID: "kb",
			At: now, Data: map[string]any{"section": "kb", "version": after.Version}}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, app.AuditEntry{At: now, ActorID: p.User.ID, ActorLabel: p.User.Email,
			Action: app.ActionSettingsChanged, TargetType: "settings", TargetID: "kb", IP: meta.IP,
			UserAgent: meta.UserAgent, Result: app.AuditSuccess,
			Details: map[string]any{"section": "kb", "before": map[string]any{"public_sharing": before.PublicSharing},
				"after": map[string]any{"public_sharing": after.PublicSharing}}})
	})
	if err != nil {
		return KB{}, err
	}
	if changed {
		stored := after
		s.current.Store(&stored)
	}
	return after, nil
}
