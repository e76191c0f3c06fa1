package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

func newDoctor(env Env) *cobra.Command {
	var flags dataFlags
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the configuration and data directory",
		Long: `Check that the configuration is valid, the data directory exists with safe
permissions and is writable, the keys are present and private, the database
passes SQLite's integrity check and every migration is applied.

Prints a report and exits with status 1 when something needs attention. It
never creates or changes anything, so it is safe to run against a live
server's data directory.`,
		Example: `  nexus doctor
  nexus doctor --data /var/lib/nexus --config /etc/nexus/config.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r := &report{out: cmd.OutOrStdout()}
			doctor(cmd, env, &flags, r)
			fmt.Fprintln(r.out)
			if r.problems > 0 {
				fmt.Fprintf(r.out, "%d problem(s) found.\n", r.problems)
				return errors.New("doctor found problems")
			}
			fmt.Fprintln(r.out, "Everything looks healthy.")
			return nil
		},
	}
	flags.register(cmd.Flags())
	return cmd
}

type report struct {
	out      io.Writer
	problems int
}

func (r *report) ok(format string, args ...any) { fmt.Fprintf(r.out, "  ok    "+format+"\n", args...) }
func (r *report) fail(format string, args ...any) {
	r.problems++
	fmt.Fprintf(r.out, "  FAIL  "+format+"\n", args...)
}
func (r *report) section(name string) { fmt.Fprintf(r.out, "%s\n", name) }

func doctor(cmd *cobra.Command, env Env, flags *dataFlags, r *report) {
	r.section("Configuration")
	cfg, warnings, err := loadConfig(cmd, env, flags.configFile)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			r.fail("%s", line)
		}
		return
	}
	for _, w := range warnings {
		fmt.Fprintf(r.out, "  warn  %s\n", w)
	}
	r.ok("configuration is valid (listen %s, data %s)", cfg.Server.Addr, cfg.Data.Dir)

	r.section("Data directory")
	layout, err := env.Backend.Layout(cfg.Data.Dir)
	if err != nil {
		r.fail("data.dir: %v", err)
		return
	}
	info, err := os.Stat(layout.Root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		r.fail("%s does not exist; 'nexus serve' or 'nexus migrate' creates it", layout.Root)
		return
	case err != nil:
		r.fail("%s: %v", layout.Root, err)
		return
	case !info.IsDir():
		r.fail("%s is not a directory", layout.Root)
		return
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		r.fail("%s has mode %04o: other users can read it; run: chmod 700 %s", layout.Root, perm, layout.Root)
	} else {
		r.ok("%s exists with mode %04o", layout.Root, perm)
	}
	if probe, err := os.CreateTemp(layout.Root, ".doctor-*"); err != nil {
		r.fail("%s is not writable: %v", layout.Root, err)
	} else {
		probe.Close()
		os.Remove(probe.Name())
		r.ok("%s is writable", layout.Root)
	}
	switch info, err := os.Stat(layout.SigningKey); {
	case err != nil:
		r.fail("signing key %s: %v", layout.SigningKey, err)
	case info.Mode().Perm()&0o077 != 0:
		r.fail("signing key %s has mode %04o; run: chmod 600 %s", layout.SigningKey, info.Mode().Perm(), layout.SigningKey)
	case info.Size() != int64(layout.SigningKeyNB):
		r.fail("signing key %s has %d bytes, want %d; restore it from a backup", layout.SigningKey, info.Size(), layout.SigningKeyNB)
	default:
		r.ok("signing key present with mode %04o", info.Mode().Perm())
	}

	r.section("Database")
	if _, err := os.Stat(layout.Database); err != nil {
		r.fail("%s: %v", layout.Database, err)
		return
	}
	st, closeStore, err := env.Backend.Inspect(cmd.Context(), layout)
	if err != nil {
		r.fail("open database: %v", err)
		return
	}
	defer closeStore()
	if lines, err := st.IntegrityCheck(cmd.Context()); err != nil {
		r.fail("integrity check: %v", err)
	} else if len(lines) != 1 || lines[0] != "ok" {
		r.fail("integrity check found %d problem(s): %s", len(lines), strings.Join(lines, "; "))
	} else {
		r.ok("integrity check passed")
	}
	list, err := st.MigrationStatus(cmd.Context())
	if err != nil {
		r.fail("migrations: %v", err)
		return
	}
	var pending []string
	var version int64
	for _, m := range list {
		if m.Applied {
			version = m.Version
		} else {
			pending = append(pending, m.Name)
		}
	}
	if len(pending) > 0 {
		r.fail("%d migration(s) pending (%s); run: nexus migrate", len(pending), strings.Join(pending, ", "))
	} else {
		r.ok("all %d migration(s) applied; schema version %d", len(list), version)
	}
}
