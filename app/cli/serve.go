package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"nexus/app/api"
	"nexus/app/config"
)

func newServe(env Env) *cobra.Command {
	var flags dataFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Nexus server",
		Long: `Run the Nexus server. With no configuration it keeps its data in ./data and
listens on http://127.0.0.1:8080; the first visit shows the setup page.

Settings come from defaults, then --config FILE, then NEXUS_SECTION_KEY
environment variables, then flags (a flag wins). SIGINT or SIGTERM stops the
server gracefully: it finishes requests in flight and closes the database.`,
		Example: `  nexus serve
  nexus serve --addr 0.0.0.0:8080 --data /var/lib/nexus
  nexus serve --config /etc/nexus/config.yaml --log-format text
  NEXUS_SERVER_ADDR=:9000 nexus serve`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serve(cmd, env, &flags)
		},
	}
	flags.register(cmd.Flags())
	cmd.Flags().String("addr", "", "listen address HOST:PORT (default 127.0.0.1:8080; env NEXUS_SERVER_ADDR)")
	cmd.Flags().String("log-format", "", "log format: json or text (default json; env NEXUS_LOG_FORMAT)")
	cmd.Flags().String("log-level", "", "log level: debug, info, warn or error (default info; env NEXUS_LOG_LEVEL)")
	return cmd
}

func serve(cmd *cobra.Command, env Env, flags *dataFlags) error {
	started := time.Now()
	cfg, log, rt, err := openRuntime(cmd, env, flags)
	if err != nil {
		return err
	}
	defer func() {
		if err := rt.Close(); err != nil {
			log.Error("close data directory", "error", err)
		}
	}()
	ctx := env.Signals

	applied, err := rt.Store.Migrate(ctx)
	if err != nil {
		return err
	}
	for _, m := range applied {
		log.Info("applied migration", "migration", m)
	}
	if rt.Services.Settings != nil {
		if err := rt.Services.Settings.Load(ctx); err != nil {
			return err
		}
	}

	deps := rt.Services
	deps.Auth, deps.Readiness, deps.UI, deps.Log, deps.Registry = rt.Auth, rt.Store, env.Backend.UI(), log, rt.Registry
	srv, err := api.New(apiConfig(cfg), deps)
	if err != nil {
		return err
	}
	ln, err := listen(cfg.Server)
	if err != nil {
		return err
	}

	var wg sync.WaitGroup
	bgCtx, stopBackground := context.WithCancel(context.Background())
	defer func() {
		stopBackground()
		wg.Wait()
	}()
	jobs := append([]func(context.Context){func(ctx context.Context) { purgeSessions(ctx, rt.Store, log) }}, rt.Background...)
	for _, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			job(bgCtx)
		}()
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("nexus is ready", "url", displayURL(cfg.Server, ln.Addr()), "data", cfg.Data.Dir,
		"version", env.Build.Version, "startup_ms", time.Since(started).Milliseconds())

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.Server.ShutdownTimeout.String())
	if err := srv.Shutdown(cfg.Server.ShutdownTimeout); err != nil {
		log.Warn("shutdown did not finish cleanly", "error", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, net.ErrClosed) {
		log.Warn("listener stopped with an error", "error", err)
	}
	log.Info("stopped")
	return nil
}

func listen(cfg config.Server) (net.Listener, error) {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, &config.Error{Key: "server.addr", Msg: fmt.Sprintf("cannot listen on %s: %v", cfg.Addr, err)}
	}
	if cfg.TLSCertFile == "" {
		return ln, nil
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLSCertFile, cfg.TLSKeyFile)
	if err != nil {
		ln.Close()
		return nil, &config.Error{Key: "server.tls_cert_file", Msg: fmt.Sprintf("cannot load certificate: %v", err)}
	}
	return tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}), nil
}

func displayURL(cfg config.Server, addr net.Addr) string {
	if cfg.PublicURL != "" {
		return cfg.PublicURL
	}
	scheme := "http"
	if cfg.TLSCertFile != "" {
		scheme = "https"
	}
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// purgeSessions deletes long-dead sessions once an hour. A day of grace
// keeps a replayed token of a just-expired session recognisable in logs.
func purgeSessions(ctx context.Context, st Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			n, err := st.PurgeSessions(ctx, now.Add(-24*time.Hour))
			if err != nil {
				if ctx.Err() == nil {
					log.Error("purge expired sessions", "error", err)
				}
				continue
			}
			if n > 0 {
				log.Info("purged expired sessions", "count", n)
			}
		}
	}
}

func parseProxies(list []string) []*net.IPNet {
	var out []*net.IPNet
	for _, p := range list {
		if _, n, err := net.ParseCIDR(p); err == nil {
			out = append(out, n)
			continue
		}
		if ip := net.ParseIP(p); ip != nil {
			bits := 32
			if ip.To4() == nil {
				bits = 128
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
		}
	}
	return out
}
