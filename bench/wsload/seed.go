package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// Seeding 2,000 accounts costs one argon2id hash each (about 80 ms of CPU),
// far longer than the measurements. The seeded data directory is therefore
// kept in a cache (with personal access tokens, which survive restarts)
// and reused by later runs with the same --users, --channels and
// --channels-per-user. Every run measures a server started afresh on a copy
// of it, so no run sees another's state.

// manifest describes a seeded data directory.
type manifest struct {
	Version         int              `json:"version"`
	Users           int              `json:"users"`
	Channels        int              `json:"channels"`
	ChannelsPerUser int              `json:"channels_per_user"`
	CreatedAt       time.Time        `json:"created_at"`
	ChannelIDs      []string         `json:"channel_ids"`
	Members         []manifestMember `json:"members"`
}

type manifestMember struct {
	ID       string   `json:"id"`
	Token    string   `json:"token"` // personal access token
	Channels []string `json:"channels"`
}

const (
	manifestVersion = 1
	tokenDays       = 30
	// A cache is reseeded well before its tokens expire.
	cacheMaxAge = 20 * 24 * time.Hour
)

// seeded is a data directory to start servers from.
type seeded struct {
	dataDir string
	m       manifest
	cached  bool
	cleanup func()
}

func cacheDir(c config) string {
	return filepath.Join(c.cache, fmt.Sprintf("u%d-c%d-k%d", c.users, c.channels, c.channelsPerUser))
}

// loadOrSeed returns the cached seed when it matches, else seeds a server
// and (unless caching is off) stores the result.
func loadOrSeed(ctx context.Context, c config, env []string, say func(string, ...any)) (*seeded, error) {
	if c.cache != "" {
		dir := cacheDir(c)
		if b, err := os.ReadFile(filepath.Join(dir, "manifest.json")); err == nil {
			var m manifest
			if json.Unmarshal(b, &m) == nil && m.Version == manifestVersion && m.Users == c.users &&
				m.Channels == c.channels && m.ChannelsPerUser == c.channelsPerUser &&
				time.Since(m.CreatedAt) < cacheMaxAge {
				say("reusing the seeded data directory in %s (from %s; --fresh to reseed)", dir, m.CreatedAt.Format(time.RFC3339))
				return &seeded{dataDir: filepath.Join(dir, "data"), m: m, cached: true, cleanup: func() {}}, nil
			}
		}
	}
	srv, err := startServer(ctx, c.bin, env, "")
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	a := newAPI(srv.base, 256)
	m, err := seed(ctx, c, a, say)
	if err != nil {
		return nil, srv.serverError(err)
	}
	// Connections the client opened but never used keep a stopping server
	// waiting for them (until its shutdown timeout).
	a.hc.CloseIdleConnections()
	keep := ""
	var cleanup func()
	if c.cache != "" {
		keep = filepath.Join(cacheDir(c), "data")
		cleanup = func() {}
	} else {
		tmp, err := os.MkdirTemp("", "nexus-wsload-seed-")
		if err != nil {
			return nil, err
		}
		keep = filepath.Join(tmp, "data")
		cleanup = func() { os.RemoveAll(tmp) }
	}
	if err := srv.stopKeeping(keep); err != nil {
		cleanup()
		return nil, fmt.Errorf("stop the seeding server: %w", err)
	}
	if c.cache != "" {
		b, _ := json.Marshal(m)
		if err := os.WriteFile(filepath.Join(cacheDir(c), "manifest.json"), b, 0o600); err != nil {
			return nil, err
		}
		say("seeded data directory kept in %s", cacheDir(c))
	}
	return &seeded{dataDir: keep, m: m, cleanup: cleanup}, nil
}

// seed creates the owner, the members (with personal access tokens), the
// channels and the memberships through the API.
func seed(ctx context.Context, c config, a *api, say func(string, ...any)) (manifest, error) {
	m := manifest{Version: manifestVersion, Users: c.users, Channels: c.channels, ChannelsPerUser: c.channelsPerUser,
		CreatedAt: time.Now().UTC(), Members: make([]manifestMember, c.users)}
	owner, err := a.setup(ctx)
	if err != nil {
		return m, err
	}
	start := time.Now()
	var done atomic.Int64
	err = parallel(ctx, c.seedWorkers, c.users, func(i int) error {
		in, err := a.register(ctx, i)
		if err != nil {
			return err
		}
		tok, err := a.accessToken(ctx, in.AccessToken, tokenDays)
		if err != nil {
			return err
		}
		m.Members[i] = manifestMember{ID: in.User.ID, Token: tok}
		if n := done.Add(1); n%250 == 0 {
			say("signed up %d of %d members (%.0f/s)", n, c.users, float64(n)/time.Since(start).Seconds())
		}
		return nil
	})
	if err != nil {
		return m, err
	}
	say("signed up %d members in %s", c.users, time.Since(start).Round(time.Millisecond))
	for i := range c.channels {
		id, err := a.createChannel(ctx, owner.AccessToken, fmt.Sprintf("wsload-%03d", i))
		if err != nil {
			return m, err
		}
		m.ChannelIDs = append(m.ChannelIDs, id)
	}
	for i := range m.Members {
		m.Members[i].Channels = ringChannels(m.ChannelIDs, i, c.channelsPerUser)
	}
	err = parallel(ctx, 32, c.users*c.channelsPerUser, func(k int) error {
		mm := m.Members[k/c.channelsPerUser]
		return a.join(ctx, mm.Token, mm.Channels[k%c.channelsPerUser])
	})
	if err != nil {
		return m, err
	}
	say("%d channels, %d memberships", c.channels, c.users*c.channelsPerUser)
	return m, nil
}

// ringChannels are member i's k channels: channel i first and k-1 others
// spread evenly around the ring.
func ringChannels(ids []string, i, k int) []string {
	n := len(ids)
	var out []string
	for j := range k {
		out = append(out, ids[(i+j*(n/k)+j)%n])
	}
	return out
}
