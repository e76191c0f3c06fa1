// Package config loads Nexus's settings from defaults, a YAML file,
// NEXUS_SECTION_KEY environment variables and command-line flags, in that
// order of increasing precedence, and validates them.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is every setting. Each leaf has a yaml key; its environment
// variable is NEXUS_ + SECTION_KEY in upper case (server.addr → NEXUS_SERVER_ADDR).
type Config struct {
	Server   Server   `yaml:"server"`
	Data     Data     `yaml:"data"`
	Log      Log      `yaml:"log"`
	Auth     Auth     `yaml:"auth"`
	Mail     Mail     `yaml:"mail"`
	SSO      SSO      `yaml:"sso"`
	Audit    Audit    `yaml:"audit"`
	KB       KB       `yaml:"kb"`
	Realtime Realtime `yaml:"realtime"`
	NATS     NATS     `yaml:"nats"`
}

// KB is the knowledge base.
type KB struct {
	AttachmentMaxSize ByteSize      `yaml:"attachment_max_size"`
	TrashRetention    time.Duration `yaml:"trash_retention"`
	// PublicSharing is the default of the admin setting that allows public
	// share links; a value saved by an administrator wins.
	PublicSharing bool `yaml:"public_sharing"`
}

// Realtime is live delivery to browsers over WebSocket.
type Realtime struct {
	// ReplayWindow is how far back a reconnecting client is sent the events
	// it missed; beyond it the client is told to refetch.
	ReplayWindow   time.Duration `yaml:"replay_window"`
	MaxConnections int           `yaml:"max_connections"`
	// SendBuffer is how many events may wait for one slow connection before
	// it is disconnected.
	SendBuffer   int           `yaml:"send_buffer"`
	PingInterval time.Duration `yaml:"ping_interval"`
	IdleTimeout  time.Duration `yaml:"idle_timeout"`
	MaxFrame     ByteSize      `yaml:"max_frame"`
}

// NATS is the embedded message bus.
type NATS struct {
	// Listen opens a TCP listener (HOST:PORT) for external NATS clients;
	// empty keeps the bus in-process only.
	Listen string `yaml:"listen"`
}

// Server is the HTTP listener.
type Server struct {
	Addr            string        `yaml:"addr"`
	PublicURL       string        `yaml:"public_url"`
	BodyLimit       ByteSize      `yaml:"body_limit"`
	ReadTimeout     time.Duration `yaml:"read_timeout"`
	WriteTimeout    time.Duration `yaml:"write_timeout"`
	IdleTimeout     time.Duration `yaml:"idle_timeout"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	TrustedProxies  []string      `yaml:"trusted_proxies"`
	TLSCertFile     string        `yaml:"tls_cert_file"`
	TLSKeyFile      string        `yaml:"tls_key_file"`
}

// Data is where Nexus keeps its state.
type Data struct {
	Dir string `yaml:"dir"`
}

// Log controls logging.
type Log struct {
	Level    string `yaml:"level"`
	Format   string `yaml:"format"`
	Requests bool   `yaml:"requests"`
}

// Auth controls sign-in.
type Auth struct {
	AccessTokenTTL           time.Duration `yaml:"access_token_ttl"`
	RefreshIdleTimeout       time.Duration `yaml:"refresh_idle_timeout"`
	RefreshAbsoluteLifetime  time.Duration `yaml:"refresh_absolute_lifetime"`
	PasswordMinLength        int           `yaml:"password_min_length"`
	LoginIPLimit             int           `yaml:"login_ip_limit"`
	LoginAccountFreeFailures int           `yaml:"login_account_free_failures"`
	LoginMaxDelay            time.Duration `yaml:"login_max_delay"`
	// The next four are defaults for settings an administrator can change
	// in the UI (security settings); a value saved there wins.
	PasswordLogin       bool          `yaml:"password_login"`
	Registration        string        `yaml:"registration"`
	RegistrationDomains []string      `yaml:"registration_domains"`
	MFARequired         bool          `yaml:"mfa_required"`
	InvitationTTL       time.Duration `yaml:"invitation_ttl"`
	PasswordResetTTL    time.Duration `yaml:"password_reset_ttl"`
	// APIRateLimit is requests per minute per user across the API; 0 is off.
	APIRateLimit             int  `yaml:"api_rate_limit"`
	APIRateLimitExemptOwners bool `yaml:"api_rate_limit_exempt_owners"`
}

// Mail is outgoing email. With no smtp_host, messages are kept in the mail
// outbox that administrators read in the UI.
type Mail struct {
	SMTPHost     string `yaml:"smtp_host"`
	SMTPPort     int    `yaml:"smtp_port"`
	SMTPUsername string `yaml:"smtp_username"`
	SMTPPassword string `yaml:"smtp_password"`
	// SMTPSecurity is starttls, tls (implicit, usually port 465) or none.
	SMTPSecurity string `yaml:"smtp_security"`
	From         string `yaml:"from"`
}

// SSO is single sign-on with OpenID Connect providers.
type SSO struct {
	Providers []SSOProvider `yaml:"providers"`
	// AutoCreate creates an account on a first SSO sign-in when no account
	// has the (verified) email; otherwise such sign-ins are refused.
	AutoCreate bool `yaml:"auto_create"`
	// LinkByEmail links a first SSO sign-in to the existing account with the
	// same verified email.
	LinkByEmail bool `yaml:"link_by_email"`
	// DefaultRole is the role of accounts created by SSO.
	DefaultRole string `yaml:"default_role"`
}

// SSOProvider is one OpenID Connect provider.
type SSOProvider struct {
	ID             string            `yaml:"id" json:"id"`
	Name           string            `yaml:"name" json:"name"`
	Issuer         string            `yaml:"issuer" json:"issuer"`
	ClientID       string            `yaml:"client_id" json:"client_id"`
	ClientSecret   string            `yaml:"client_secret" json:"client_secret"`
	Scopes         []string          `yaml:"scopes" json:"scopes"`
	EmailClaim     string            `yaml:"email_claim" json:"email_claim"`
	NameClaim      string            `yaml:"name_claim" json:"name_claim"`
	GroupsClaim    string            `yaml:"groups_claim" json:"groups_claim"`
	AllowedDomains []string          `yaml:"allowed_domains" json:"allowed_domains"`
	GroupTeams     map[string]string `yaml:"group_teams" json:"group_teams"`
}

// Audit is the audit log.
type Audit struct {
	// Retention is how long audit entries are kept; 0 keeps them forever.
	Retention time.Duration `yaml:"retention"`
}

// Default is the configuration `nexus serve` runs with when nothing is set.
func Default() Config {
	return Config{
		Server: Server{
			Addr:            "127.0.0.1:8080",
			BodyLimit:       8 << 20,
			ReadTimeout:     30 * time.Second,
			WriteTimeout:    60 * time.Second,
			IdleTimeout:     120 * time.Second,
			ShutdownTimeout: 15 * time.Second,
		},
		Data: Data{Dir: "./data"},
		Log:  Log{Level: "info", Format: "json", Requests: true},
		Auth: Auth{
			AccessTokenTTL:           15 * time.Minute,
			RefreshIdleTimeout:       7 * 24 * time.Hour,
			RefreshAbsoluteLifetime:  30 * 24 * time.Hour,
			PasswordMinLength:        8,
			LoginIPLimit:             30,
			LoginAccountFreeFailures: 5,
			LoginMaxDelay:            15 * time.Minute,
			PasswordLogin:            true,
			Registration:             "invite",
			InvitationTTL:            7 * 24 * time.Hour,
			PasswordResetTTL:         30 * time.Minute,
			APIRateLimit:             1200,
		},
		Mail:  Mail{SMTPPort: 587, SMTPSecurity: "starttls", From: "Nexus <nexus@localhost>"},
		SSO:   SSO{AutoCreate: true, LinkByEmail: true, DefaultRole: "member"},
		Audit: Audit{Retention: 365 * 24 * time.Hour},
		KB:    KB{AttachmentMaxSize: 25 << 20, TrashRetention: 30 * 24 * time.Hour, PublicSharing: true},
		Realtime: Realtime{ReplayWindow: 24 * time.Hour, MaxConnections: 10000, SendBuffer: 256,
			PingInterval: 30 * time.Second, IdleTimeout: 90 * time.Second, MaxFrame: 64 << 10},
	}
}

// Error is a configuration problem; Key names the setting (server.addr).
type Error struct {
	Key    string
	Source string // "config file line 3", "environment variable NEXUS_SERVER_ADDR", "flag --addr"
	Msg    string
}

func (e *Error) Error() string {
	if e.Source != "" {
		return fmt.Sprintf("config: %s (%s): %s", e.Key, e.Source, e.Msg)
	}
	return fmt.Sprintf("config: %s: %s", e.Key, e.Msg)
}

// Source says where the settings come from besides the defaults.
type Source struct {
	File  string            // YAML file; empty for none
	Env   []string          // KEY=VALUE pairs, as from os.Environ
	Flags map[string]string // key path (server.addr) → value, only for flags the user set
	// FlagNames maps key paths to the flag that set them, for messages.
	FlagNames map[string]string
}

// Load builds the configuration: defaults, then the file, then the
// environment, then flags. It returns warnings for things that are not
// errors but are probably mistakes (an unknown NEXUS_ variable).
func Load(src Source) (Config, []string, error) {
	cfg := Default()
	fields := leaves(&cfg)
	var warnings []string

	if src.File != "" {
		raw, err := os.ReadFile(src.File)
		if err != nil {
			return cfg, nil, fmt.Errorf("config: read %s: %w", src.File, err)
		}
		if err := applyYAML(raw, fields); err != nil {
			return cfg, nil, err
		}
	}

	known := map[string]bool{"NEXUS_CONFIG": true}
	for _, f := range fields {
		known[f.env] = true
	}
	env := map[string]string{}
	for _, kv := range src.Env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, "NEXUS_") {
			continue
		}
		if !known[k] {
			warnings = append(warnings, fmt.Sprintf("environment variable %s is not a Nexus setting; ignored", k))
			continue
		}
		env[k] = v
	}
	for _, f := range fields {
		if v, ok := env[f.env]; ok {
			if err := f.set(v); err != nil {
				return cfg, warnings, &Error{Key: f.key, Source: "environment variable " + f.env, Msg: err.Error()}
			}
		}
	}

	for key, v := range src.Flags {
		f := findLeaf(fields, key)
		if f == nil {
			return cfg, warnings, &Error{Key: key, Msg: "unknown setting"}
		}
		if err := f.set(v); err != nil {
			name := src.FlagNames[key]
			if name == "" {
				name = key
			}
			return cfg, warnings, &Error{Key: key, Source: "flag --" + name, Msg: err.Error()}
		}
	}
	return cfg, warnings, nil
}

func applyYAML(raw []byte, fields []leaf) error {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file is a valid, empty config
		}
		return fmt.Errorf("config: parse YAML: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("config: line %d: the file must be a mapping of sections (server:, data:, log:, auth:)", root.Line)
	}
	return walkYAML(root, "", fields)
}

func walkYAML(n *yaml.Node, prefix string, fields []leaf) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		if prefix != "" {
			key = prefix + "." + k.Value
		}
		src := fmt.Sprintf("config file line %d", k.Line)
		if f := findLeaf(fields, key); f != nil {
			var value string
			switch {
			case f.kind == kindStructList:
				if v.Tag == "!!null" {
					continue
				}
				if v.Kind != yaml.SequenceNode {
					return &Error{Key: key, Source: src, Msg: "must be a list of entries"}
				}
				if err := checkKnownKeys(v, f.v.Type().Elem(), key); err != nil {
					return err
				}
				list := reflect.New(f.v.Type())
				if err := v.Decode(list.Interface()); err != nil {
					return &Error{Key: key, Source: src, Msg: err.Error()}
				}
				if list.Elem().Len() > 0 {
					f.v.Set(list.Elem())
				}
				continue
			case v.Kind == yaml.SequenceNode && f.kind == kindList:
				items := make([]string, 0, len(v.Content))
				for _, it := range v.Content {
					if it.Kind != yaml.ScalarNode {
						return &Error{Key: key, Source: src, Msg: "list items must be plain values"}
					}
					items = append(items, it.Value)
				}
				f.setList(items)
				continue
			case v.Kind == yaml.ScalarNode:
				value = v.Value
				if v.Tag == "!!null" {
					value = ""
				}
			default:
				return &Error{Key: key, Source: src, Msg: "must be a single value"}
			}
			if err := f.set(value); err != nil {
				return &Error{Key: key, Source: src, Msg: err.Error()}
			}
			continue
		}
		if isSection(fields, key) {
			if v.Kind != yaml.MappingNode {
				if v.Tag == "!!null" {
					continue
				}
				return &Error{Key: key, Source: src, Msg: "must be a section of settings"}
			}
			if err := walkYAML(v, key, fields); err != nil {
				return err
			}
			continue
		}
		return &Error{Key: key, Source: src, Msg: "unknown setting" + suggest(fields, key)}
	}
	return nil
}

// checkKnownKeys rejects unknown keys inside the entries of a list of
// structs (e.g. a typo in one SSO provider), naming entry and line.
func checkKnownKeys(seq *yaml.Node, t reflect.Type, key string) error {
	known := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		known[t.Field(i).Tag.Get("yaml")] = true
	}
	for i, item := range seq.Content {
		if item.Kind != yaml.MappingNode {
			return &Error{Key: fmt.Sprintf("%s[%d]", key, i), Source: fmt.Sprintf("config file line %d", item.Line), Msg: "must be a mapping of settings"}
		}
		for j := 0; j+1 < len(item.Content); j += 2 {
			k := item.Content[j]
			if !known[k.Value] {
				return &Error{Key: fmt.Sprintf("%s[%d].%s", key, i, k.Value), Source: fmt.Sprintf("config file line %d", k.Line), Msg: "unknown setting"}
			}
		}
	}
	return nil
}

func suggest(fields []leaf, key string) string {
	best, bestDist := "", 5
	for _, f := range fields {
		if d := editDistance(f.key, key); d < bestDist {
			best, bestDist = f.key, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// Keys lists every setting's key path and environment variable, in order.
func Keys() [][2]string {
	cfg := Default()
	var out [][2]string
	for _, f := range leaves(&cfg) {
		out = append(out, [2]string{f.key, f.env})
	}
	return out
}

// Validate checks values that parse but make no sense. Each error names the
// key.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, &Error{Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	if host, port, err := net.SplitHostPort(c.Server.Addr); err != nil {
		bad("server.addr", "%q is not HOST:PORT (for example 127.0.0.1:8080 or :8080)", c.Server.Addr)
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		bad("server.addr", "port %q is not a number from 0 to 65535", port)
	} else if host != "" && net.ParseIP(host) == nil && !validHostname(host) {
		bad("server.addr", "host %q is not an IP address or host name", host)
	}
	if c.Server.PublicURL != "" {
		u, err := url.Parse(c.Server.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			bad("server.public_url", "%q must be an absolute http(s) URL without a path, like https://nexus.example.com", c.Server.PublicURL)
		}
	}
	if c.Server.BodyLimit < 1024 {
		bad("server.body_limit", "must be at least 1KiB")
	}
	for key, d := range map[string]time.Duration{
		"server.read_timeout": c.Server.ReadTimeout, "server.write_timeout": c.Server.WriteTimeout,
		"server.idle_timeout": c.Server.IdleTimeout, "server.shutdown_timeout": c.Server.ShutdownTimeout,
		"auth.access_token_ttl": c.Auth.AccessTokenTTL, "auth.refresh_idle_timeout": c.Auth.RefreshIdleTimeout,
		"auth.refresh_absolute_lifetime": c.Auth.RefreshAbsoluteLifetime, "auth.login_max_delay": c.Auth.LoginMaxDelay,
	} {
		if d <= 0 {
			bad(key, "must be a positive duration like 30s, 15m or 720h")
		}
	}
	for _, p := range c.Server.TrustedProxies {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				bad("server.trusted_proxies", "%q is not an IP address or CIDR range", p)
			}
		}
	}
	if (c.Server.TLSCertFile == "") != (c.Server.TLSKeyFile == "") {
		bad("server.tls_cert_file", "tls_cert_file and tls_key_file must be set together")
	}
	if strings.TrimSpace(c.Data.Dir) == "" {
		bad("data.dir", "must not be empty")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "json", "text":
	default:
		bad("log.format", "%q is not one of json, text", c.Log.Format)
	}
	if c.Auth.AccessTokenTTL > time.Hour {
		bad("auth.access_token_ttl", "must be at most 1h; the web client renews access tokens automatically, so there is no need for long ones")
	}
	if c.Auth.RefreshIdleTimeout > c.Auth.RefreshAbsoluteLifetime {
		bad("auth.refresh_idle_timeout", "must not exceed auth.refresh_absolute_lifetime")
	}
	if c.Auth.PasswordMinLength < 8 || c.Auth.PasswordMinLength > 64 {
		bad("auth.password_min_length", "must be between 8 and 64")
	}
	if c.Auth.LoginIPLimit < 1 {
		bad("auth.login_ip_limit", "must be at least 1 attempt per minute")
	}
	if c.Auth.LoginAccountFreeFailures < 1 {
		bad("auth.login_account_free_failures", "must be at least 1")
	}
	switch c.Auth.Registration {
	case "invite", "open":
	case "domain":
		if len(c.Auth.RegistrationDomains) == 0 {
			bad("auth.registration_domains", "must list at least one email domain when auth.registration is domain")
		}
	default:
		bad("auth.registration", "%q is not one of invite, open, domain", c.Auth.Registration)
	}
	for _, d := range c.Auth.RegistrationDomains {
		if strings.Contains(d, "@") || !validHostname(d) {
			bad("auth.registration_domains", "%q is not a domain like example.com", d)
		}
	}
	if c.Auth.InvitationTTL < time.Hour {
		bad("auth.invitation_ttl", "must be at least 1h")
	}
	if c.Auth.PasswordResetTTL < 5*time.Minute || c.Auth.PasswordResetTTL > 24*time.Hour {
		bad("auth.password_reset_ttl", "must be between 5m and 24h")
	}
	if c.Auth.APIRateLimit < 0 {
		bad("auth.api_rate_limit", "must be 0 (off) or a number of requests per minute")
	}
	if !c.Auth.PasswordLogin && len(c.SSO.Providers) == 0 {
		bad("auth.password_login", "cannot be false without an SSO provider in sso.providers: nobody could sign in")
	}
	if c.Mail.SMTPHost != "" {
		if c.Mail.SMTPPort < 1 || c.Mail.SMTPPort > 65535 {
			bad("mail.smtp_port", "must be a port number from 1 to 65535")
		}
		switch c.Mail.SMTPSecurity {
		case "starttls", "tls", "none":
		default:
			bad("mail.smtp_security", "%q is not one of starttls, tls, none", c.Mail.SMTPSecurity)
		}
	}
	if _, err := mail.ParseAddress(c.Mail.From); err != nil {
		bad("mail.from", "%q is not an address like \"Nexus <nexus@example.com>\"", c.Mail.From)
	}
	switch c.SSO.DefaultRole {
	case "admin", "member", "guest":
	default:
		bad("sso.default_role", "%q is not one of admin, member, guest", c.SSO.DefaultRole)
	}
	seen := map[string]bool{}
	for i, p := range c.SSO.Providers {
		key := fmt.Sprintf("sso.providers[%d]", i)
		switch {
		case !validProviderID(p.ID):
			bad(key+".id", "%q must be a short name of letters, digits and dashes (it appears in the callback URL)", p.ID)
		case seen[p.ID]:
			bad(key+".id", "%q is used by two providers", p.ID)
		}
		seen[p.ID] = true
		if u, err := url.Parse(p.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad(key+".issuer", "%q must be the provider's issuer URL", p.Issuer)
		}
		if p.ClientID == "" {
			bad(key+".client_id", "must be set")
		}
		if p.Name == "" {
			bad(key+".name", "must be set (it is the label of the sign-in button)")
		}
	}
	if len(c.SSO.Providers) > 0 && c.Server.PublicURL == "" {
		bad("server.public_url", "must be set when SSO providers are configured: it is the base of the callback URL registered with the provider")
	}
	if c.KB.AttachmentMaxSize < 1<<10 || c.KB.AttachmentMaxSize > 4<<30 {
		bad("kb.attachment_max_size", "must be between 1KiB and 4GiB")
	}
	if c.KB.TrashRetention < time.Hour {
		bad("kb.trash_retention", "must be at least 1h")
	}
	if c.Realtime.ReplayWindow < time.Minute {
		bad("realtime.replay_window", "must be at least 1m")
	}
	if c.Realtime.MaxConnections < 1 {
		bad("realtime.max_connections", "must be at least 1")
	}
	if c.Realtime.SendBuffer < 8 {
		bad("realtime.send_buffer", "must be at least 8")
	}
	if c.Realtime.PingInterval < time.Second || c.Realtime.IdleTimeout <= c.Realtime.PingInterval {
		bad("realtime.idle_timeout", "must be longer than realtime.ping_interval (at least 1s)")
	}
	if c.Realtime.MaxFrame < 1<<10 {
		bad("realtime.max_frame", "must be at least 1KiB")
	}
	if c.NATS.Listen != "" {
		if _, port, err := net.SplitHostPort(c.NATS.Listen); err != nil || port == "" {
			bad("nats.listen", "%q is not HOST:PORT", c.NATS.Listen)
		}
	}
	if c.Audit.Retention < 0 || (c.Audit.Retention > 0 && c.Audit.Retention < 24*time.Hour) {
		bad("audit.retention", "must be 0 (keep forever) or at least 24h")
	}
	return errors.Join(errs...)
}

func validProviderID(id string) bool {
	if id == "" || len(id) > 32 {
		return false
	}
	for _, r := range id {
		if !(r == '-' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func validHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

// ByteSize is a size in bytes, written like 8MiB, 512KiB or 1048576.
type ByteSize int64

func parseByteSize(s string) (ByteSize, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<50)/mult {
		return 0, fmt.Errorf("not a size like 8MiB, 512KiB or 1048576")
	}
	return ByteSize(n * mult), nil
}

func (b ByteSize) String() string {
	switch {
	case b%(1<<30) == 0 && b > 0:
		return fmt.Sprintf("%dGiB", b>>30)
	case b%(1<<20) == 0 && b > 0:
		return fmt.Sprintf("%dMiB", b>>20)
	case b%(1<<10) == 0 && b > 0:
		return fmt.Sprintf("%dKiB", b>>10)
	}
	return strconv.FormatInt(int64(b), 10)
}

// leaf is one setting, found by reflection over Config.
type leaf struct {
	key  string
	env  string
	kind leafKind
	v    reflect.Value
}

type leafKind int

const (
	kindString leafKind = iota
	kindInt
	kindBool
	kindDuration
	kindSize
	kindList
	kindStructList // set from YAML, or from the environment as a JSON array
)

var (
	durationType = reflect.TypeOf(time.Duration(0))
	sizeType     = reflect.TypeOf(ByteSize(0))
)

func leaves(cfg *Config) []leaf {
	var out []leaf
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			name := t.Field(i).Tag.Get("yaml")
			key := name
			if prefix != "" {
				key = prefix + "." + name
			}
			fv := v.Field(i)
			if fv.Kind() == reflect.Struct {
				walk(fv, key)
				continue
			}
			l := leaf{key: key, env: "NEXUS_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_")), v: fv}
			switch {
			case fv.Type() == durationType:
				l.kind = kindDuration
			case fv.Type() == sizeType:
				l.kind = kindSize
			case fv.Kind() == reflect.String:
				l.kind = kindString
			case fv.Kind() == reflect.Int:
				l.kind = kindInt
			case fv.Kind() == reflect.Bool:
				l.kind = kindBool
			case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.String:
				l.kind = kindList
			case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Struct:
				l.kind = kindStructList
			default:
				panic("config: unsupported field type " + fv.Type().String())
			}
			out = append(out, l)
		}
	}
	walk(reflect.ValueOf(cfg).Elem(), "")
	return out
}

func findLeaf(fields []leaf, key string) *leaf {
	for i := range fields {
		if fields[i].key == key {
			return &fields[i]
		}
	}
	return nil
}

func isSection(fields []leaf, key string) bool {
	for _, f := range fields {
		if strings.HasPrefix(f.key, key+".") {
			return true
		}
	}
	return false
}

func (l *leaf) set(s string) error {
	switch l.kind {
	case kindString:
		l.v.SetString(s)
	case kindInt:
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		l.v.SetInt(int64(n))
	case kindBool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		l.v.SetBool(b)
	case kindDuration:
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("%q is not a duration like 30s, 15m or 720h", s)
		}
		l.v.SetInt(int64(d))
	case kindSize:
		b, err := parseByteSize(s)
		if err != nil {
			return fmt.Errorf("%q is %v", s, err)
		}
		l.v.SetInt(int64(b))
	case kindStructList:
		list := reflect.New(l.v.Type())
		dec := json.NewDecoder(strings.NewReader(s))
		dec.DisallowUnknownFields()
		if strings.TrimSpace(s) != "" {
			if err := dec.Decode(list.Interface()); err != nil {
				return fmt.Errorf("must be a JSON array of entries: %v", err)
			}
		}
		l.v.Set(list.Elem())
	case kindList:
		var items []string
		for _, it := range strings.Split(s, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
		l.setList(items)
	}
	return nil
}

func (l *leaf) setList(items []string) {
	if len(items) == 0 {
		l.v.Set(reflect.Zero(l.v.Type()))
		return
	}
	l.v.Set(reflect.ValueOf(items))
}
