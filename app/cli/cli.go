// Package cli defines the nexus commands. It works against the small
// Backend interface; main.go supplies the concrete store and engines.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"nexus/app"
	"nexus/app/api"
	"nexus/app/auth"
	"nexus/app/config"
)

// BuildInfo identifies the binary.
type BuildInfo struct {
	Version string
	Commit  string
	Date    string
}

// Store is what the commands need from the database beyond the use-cases.
type Store interface {
	Migrate(ctx context.Context) ([]string, error)
	MigrationStatus(ctx context.Context) ([]app.Migration, error)
	Ready(ctx context.Context) (version int64, pending bool, err error)
	IntegrityCheck(ctx context.Context) ([]string, error)
	PurgeSessions(ctx context.Context, cutoff time.Time) (int64, error)
}

// UserFinder looks accounts up for the recovery commands.
type UserFinder interface {
	FindUserByEmail(ctx context.Context, email string) (*app.User, error)
}

// Runtime is an opened data directory with its services.
type Runtime struct {
	Store    Store
	Users    UserFinder
	Auth     *auth.Service
	Registry *prometheus.Registry
	// Services are the use-cases the HTTP API calls; serve adds the UI,
	// logger, registry and readiness.
	Services api.Deps
	// Background jobs that serve runs until shutdown (mail delivery, audit
	// retention, ...). Each returns when its context is cancelled.
	Background []func(context.Context)
	// Close releases everything Open acquired.
	Close func() error
}

// Layout names the files of a data directory, so the doctor can inspect
// them without creating anything.
type Layout struct {
	Root         string
	Database     string
	KeysDir      string
	SigningKey   string
	SigningKeyNB int
}

// Backend opens data directories. main.go implements it with the real
// store and engines.
type Backend interface {
	Layout(dataDir string) (Layout, error)
	// Open creates the data directory and keys if missing and opens the
	// store, without applying migrations.
	Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*Runtime, error)
	// Inspect opens an existing database for checks, creating nothing.
	Inspect(ctx context.Context, layout Layout) (Store, func() error, error)
	// UI is the built web client.
	UI() fs.FS
}

// Env is the process environment the commands run in.
type Env struct {
	Build   BuildInfo
	Backend Backend
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	Environ []string
	// Signals is cancelled when the process is asked to stop (SIGINT, SIGTERM).
	Signals context.Context
}

// usageError marks mistakes in how a command was called: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Execute runs the command line and returns the process exit status:
// 0 success, 1 failure, 2 bad usage.
func Execute(env Env, args []string) int {
	root := newRoot(env)
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintf(env.Stderr, "nexus: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		fmt.Fprintln(env.Stderr, "Run 'nexus --help' (or 'nexus <command> --help') for usage.")
		return 2
	}
	return 1
}

// isCobraUsage recognises cobra's own errors for unknown commands and bad
// arguments, which it does not type.
func isCobraUsage(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "unknown shorthand flag") || strings.Contains(msg, "arg(s)") ||
		strings.HasPrefix(msg, "invalid argument") || strings.HasPrefix(msg, "flag needs an argument") ||
		strings.HasPrefix(msg, "required flag")
}

func newRoot(env Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "nexus",
		Short: "Nexus: your team's knowledge base and collaboration server in one binary",
		Long: `Nexus is a self-hosted knowledge and collaboration server for small companies.
It keeps everything in one data directory (./data by default).

Start it with 'nexus serve' and open http://127.0.0.1:8080 to create the owner account.`,
		Example: `  nexus serve
  nexus serve --data /var/lib/nexus --addr 0.0.0.0:8080
  nexus user create --email kim@example.com --name "Kim Minji" --role admin --password-stdin
  nexus doctor --data /var/lib/nexus`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       env.Build.Version,
	}
	root.SetVersionTemplate("nexus {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newServe(env), newMigrate(env), newUser(env), newDoctor(env), newVersion(env))
	root.CompletionOptions.DisableDefaultCmd = true
	return root
}

// dataFlags are the flags every command that touches data accepts.
type dataFlags struct {
	configFile string
	dataDir    string
}

func (f *dataFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.configFile, "config", "", "YAML config file (default: none; env NEXUS_CONFIG)")
	fs.StringVar(&f.dataDir, "data", "", "data directory (default ./data; env NEXUS_DATA_DIR)")
}

// flagKeys maps flag names to the config keys they set.
var flagKeys = map[string]string{
	"data":       "data.dir",
	"addr":       "server.addr",
	"log-format": "log.format",
	"log-level":  "log.level",
}

// loadConfig merges defaults, the file, the environment and the flags the
// user set on cmd, and validates the result.
func loadConfig(cmd *cobra.Command, env Env, configFile string) (config.Config, []string, error) {
	if configFile == "" {
		for _, kv := range env.Environ {
			if v, ok := strings.CutPrefix(kv, "NEXUS_CONFIG="); ok {
				configFile = v
			}
		}
	}
	src := config.Source{File: configFile, Env: env.Environ, Flags: map[string]string{}, FlagNames: map[string]string{}}
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if key, ok := flagKeys[f.Name]; ok {
			src.Flags[key] = f.Value.String()
			src.FlagNames[key] = f.Name
		}
	})
	cfg, warnings, err := config.Load(src)
	if err != nil {
		return cfg, warnings, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, warnings, err
	}
	return cfg, warnings, nil
}

func newLogger(w io.Writer, cfg config.Log) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// openRuntime loads the configuration and opens the data directory, for the
// commands that work on data.
func openRuntime(cmd *cobra.Command, env Env, flags *dataFlags) (config.Config, *slog.Logger, *Runtime, error) {
	cfg, warnings, err := loadConfig(cmd, env, flags.configFile)
	if err != nil {
		return cfg, nil, nil, err
	}
	log := newLogger(env.Stderr, cfg.Log)
	for _, w := range warnings {
		log.Warn(w)
	}
	if cmd.Name() != "serve" {
		// Only the server offers the bus to outside clients; an operator's
		// command next to a running server must not compete for its port.
		cfg.NATS.Listen = ""
	}
	rt, err := env.Backend.Open(cmd.Context(), cfg, log)
	if err != nil {
		return cfg, log, nil, err
	}
	return cfg, log, rt, nil
}

// apiConfig translates the configuration for the HTTP layer.
func apiConfig(cfg config.Config) api.Config {
	return api.Config{
		BodyLimit:     int(cfg.Server.BodyLimit),
		BodyLimitText: cfg.Server.BodyLimit.String(),
		// Multipart overhead on top of the largest attachment.
		UploadLimit:     int(cfg.KB.AttachmentMaxSize) + 1<<20,
		UploadLimitText: cfg.KB.AttachmentMaxSize.String(),
		ReadTimeout:     cfg.Server.ReadTimeout,
		WriteTimeout:    cfg.Server.WriteTimeout,
		IdleTimeout:     cfg.Server.IdleTimeout,
		PublicURL:       strings.TrimSuffix(cfg.Server.PublicURL, "/"),
		TrustedProxies:  parseProxies(cfg.Server.TrustedProxies),
		TLS:             cfg.Server.TLSCertFile != "",
		LogRequests:     cfg.Log.Requests,

		APIRateLimit:             cfg.Auth.APIRateLimit,
		APIRateLimitExemptOwners: cfg.Auth.APIRateLimitExemptOwners,
	}
}
