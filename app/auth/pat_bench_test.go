package auth_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"nexus/app"
	"nexus/app/auth"
	"nexus/store"
)

type benchStore struct{ *store.Store }

func (a benchStore) Update(ctx context.Context, fn func(auth.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

// BenchmarkAuthenticate compares resolving a session's JWT and a personal
// access token into a principal, on a real store: the part of a request
// that differs between the two.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "nexus.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	tokens, err := auth.NewTokens(bytes.Repeat([]byte{7}, 32), 15*time.Minute, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	svc := auth.NewService(benchStore{st}, tokens, auth.NewHasher(1), auth.NewLimiter(auth.LimiterConfig{IPPerMinute: 1000}, time.Now),
		auth.Config{AccessTokenTTL: 15 * time.Minute, RefreshIdleTimeout: time.Hour, RefreshAbsoluteLifetime: time.Hour, PasswordMinLength: 8},
		time.Now, log)
	in, err := svc.Setup(ctx, auth.SetupInput{Email: "bench@example.com", Name: "Bench", Password: "bench-password-123"}, app.RequestMeta{})
	if err != nil {
		b.Fatal(err)
	}
	p, err := svc.Authenticate(ctx, in.AccessToken)
	if err != nil {
		b.Fatal(err)
	}
	_, pat, err := svc.CreateAccessToken(ctx, p, auth.CreateAccessTokenInput{Name: "bench", Scopes: []string{"read"}}, app.RequestMeta{})
	if err != nil {
		b.Fatal(err)
	}
	for _, tt := range []struct{ name, bearer string }{{"jwt", in.AccessToken}, {"pat", pat}} {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.Authenticate(ctx, tt.bearer); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
