package cli

import (
	"bufio"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"nexus/app"
	"nexus/app/auth"
)

func newMigrate(env Env) *cobra.Command {
	var flags dataFlags
	var status bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply database migrations and exit",
		Long: `Apply every pending database migration and exit. 'nexus serve' does this on
start as well; run it separately to upgrade before starting, or with --status
to see which migrations are applied and which are pending.`,
		Example: `  nexus migrate --data /var/lib/nexus
  nexus migrate --status`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, _, rt, err := openRuntime(cmd, env, &flags)
			if err != nil {
				return err
			}
			defer rt.Close()
			out := cmd.OutOrStdout()
			if !status {
				applied, err := rt.Store.Migrate(cmd.Context())
				if err != nil {
					return err
				}
				if len(applied) == 0 {
					fmt.Fprintln(out, "The database is up to date; no migrations to apply.")
				}
				for _, m := range applied {
					fmt.Fprintf(out, "applied %s\n", m)
				}
				return nil
			}
			list, err := rt.Store.MigrationStatus(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "VERSION\tNAME\tSTATE\tAPPLIED AT")
			pending := 0
			for _, m := range list {
				state, at := "pending", "-"
				if m.Applied {
					state, at = "applied", m.AppliedAt.UTC().Format("2006-01-02 15:04:05 UTC")
				} else {
					pending++
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", m.Version, m.Name, state, at)
			}
			tw.Flush()
			fmt.Fprintf(out, "%d applied, %d pending\n", len(list)-pending, pending)
			return nil
		},
	}
	flags.register(cmd.Flags())
	cmd.Flags().BoolVar(&status, "status", false, "list applied and pending migrations instead of applying")
	return cmd
}

func newUser(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "user",
		Short:   "Manage user accounts",
		Example: `  echo 'a long passphrase' | nexus user create --email kim@example.com --name "Kim Minji" --role member --password-stdin`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usagef("user needs a subcommand, for example 'nexus user create'")
		},
	}
	var flags dataFlags
	var email, name, role string
	var passwordStdin bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a user account",
		Long: `Create a user account. The password is read from the first line of standard
input, so it never appears in the process list or shell history. Works on a
running or a stopped server's data directory.`,
		Example: `  echo 'correct horse battery staple' | nexus user create --email kim@example.com --name "Kim Minji" --role member --password-stdin
  nexus user create --data /var/lib/nexus --email owner@example.com --name Owner --role owner --password-stdin < password.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !passwordStdin {
				return usagef("pass the password on standard input and add --password-stdin")
			}
			r, err := app.ParseRole(role)
			if err != nil {
				return usagef("--role %q: must be one of owner, admin, member, guest", role)
			}
			password, err := readPassword(cmd)
			if err != nil {
				return err
			}
			_, _, rt, err := openRuntime(cmd, env, &flags)
			if err != nil {
				return err
			}
			defer rt.Close()
			if _, err := rt.Store.Migrate(cmd.Context()); err != nil {
				return err
			}
			u, err := rt.Auth.CreateUser(cmd.Context(), auth.CreateUserInput{Email: email, Name: name, Role: r, Password: password},
				"cli", app.RequestMeta{UserAgent: "nexus-cli"})
			if err != nil {
				return friendly(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Created %s %s <%s> (id %s)\n", u.Role, u.Name, u.Email, u.ID)
			return nil
		},
	}
	flags.register(create.Flags())
	create.Flags().StringVar(&email, "email", "", "email address (required)")
	create.Flags().StringVar(&name, "name", "", "display name (required)")
	create.Flags().StringVar(&role, "role", "member", "role: owner, admin, member or guest")
	create.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input (required)")
	create.MarkFlagRequired("email")
	create.MarkFlagRequired("name")
	cmd.AddCommand(create, newSetPassword(env), newResetMFA(env))
	return cmd
}

// newSetPassword recovers an account whose owner forgot the password when
// no mail server is set up to send a reset link.
func newSetPassword(env Env) *cobra.Command {
	var flags dataFlags
	var email string
	var passwordStdin bool
	cmd := &cobra.Command{
		Use:   "set-password",
		Short: "Set a user's password (account recovery)",
		Long: `Set a user's password, reading it from the first line of standard input, and
end every session of that user. Use it to recover an account when no mail
server is configured for password-reset links. Audited as a password reset
by "cli".`,
		Example: `  echo 'a new long passphrase' | nexus user set-password --data /var/lib/nexus --email kim@example.com --password-stdin`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !passwordStdin {
				return usagef("pass the password on standard input and add --password-stdin")
			}
			password, err := readPassword(cmd)
			if err != nil {
				return err
			}
			_, _, rt, err := openRuntime(cmd, env, &flags)
			if err != nil {
				return err
			}
			defer rt.Close()
			if _, err := rt.Store.Migrate(cmd.Context()); err != nil {
				return err
			}
			u, err := rt.Services.Identity.SetPasswordByOperator(cmd.Context(), email, password, "cli")
			if err != nil {
				return friendly(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Set the password of %s <%s>; their sessions were ended.\n", u.Name, u.Email)
			return nil
		},
	}
	flags.register(cmd.Flags())
	cmd.Flags().StringVar(&email, "email", "", "email address of the account (required)")
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input (required)")
	cmd.MarkFlagRequired("email")
	return cmd
}

// newResetMFA recovers an account whose authenticator is lost, including
// the last owner's, which nobody could otherwise reset.
func newResetMFA(env Env) *cobra.Command {
	var flags dataFlags
	var email string
	cmd := &cobra.Command{
		Use:   "reset-mfa",
		Short: "Turn off a user's two-factor authentication (account recovery)",
		Long: `Turn off a user's two-factor authentication and delete their recovery codes,
for someone who lost their authenticator. If MFA is required for everyone, they
are asked to enrol again at their next sign-in. Audited as an MFA reset by "cli".`,
		Example: `  nexus user reset-mfa --data /var/lib/nexus --email kim@example.com`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, _, rt, err := openRuntime(cmd, env, &flags)
			if err != nil {
				return err
			}
			defer rt.Close()
			if _, err := rt.Store.Migrate(cmd.Context()); err != nil {
				return err
			}
			normalized, err := app.NormalizeEmail(email)
			if err != nil {
				return friendly(err)
			}
			u, err := rt.Users.FindUserByEmail(cmd.Context(), normalized)
			if app.IsNotFound(err) {
				return fmt.Errorf("no account has the email %s", normalized)
			}
			if err != nil {
				return err
			}
			if err := rt.Services.MFA.Reset(cmd.Context(), app.Operator(), u.ID, app.RequestMeta{UserAgent: "nexus-cli"}); err != nil {
				return friendly(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Two-factor authentication is off for %s <%s>.\n", u.Name, u.Email)
			return nil
		},
	}
	flags.register(cmd.Flags())
	cmd.Flags().StringVar(&email, "email", "", "email address of the account (required)")
	cmd.MarkFlagRequired("email")
	return cmd
}

func readPassword(cmd *cobra.Command) (string, error) {
	line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	if err != nil && line == "" {
		return "", usagef("no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// friendly turns a domain error into a message for the terminal.
func friendly(err error) error {
	var ae *app.Error
	if !errors.As(err, &ae) || ae.Code == app.CodeInternal {
		return err
	}
	if field, ok := ae.Details["field"].(string); ok {
		if field == "password" {
			return fmt.Errorf("password (from standard input): %s", ae.Message)
		}
		return fmt.Errorf("--%s: %s", field, ae.Message)
	}
	return fmt.Errorf("%s", ae.Message)
}

func newVersion(env Env) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print version, commit, build date and Go version",
		Example: "  nexus version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := env.Build
			fmt.Fprintf(cmd.OutOrStdout(), "nexus %s\ncommit:  %s\nbuilt:   %s\ngo:      %s %s/%s\n",
				b.Version, b.Commit, b.Date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
