package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsAreValid(t *testing.T) {
	cfg, warnings, err := Load(Source{})
	if err != nil || len(warnings) != 0 {
		t.Fatalf("Load() = %v, %v", warnings, err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	if cfg.Server.Addr != "127.0.0.1:8080" || cfg.Data.Dir != "./data" {
		t.Fatalf("defaults = %+v", cfg)
	}
}

func TestPrecedenceFlagOverEnvOverFileOverDefault(t *testing.T) {
	file := writeFile(t, `
server:
  addr: 127.0.0.1:1111
  body_limit: 2MiB
log:
  level: warn
  format: text
auth:
  access_token_ttl: 10m
`)
	env := []string{"NEXUS_SERVER_ADDR=127.0.0.1:2222", "NEXUS_LOG_LEVEL=debug", "PATH=/usr/bin"}
	flags := map[string]string{"server.addr": "127.0.0.1:3333"}
	cfg, _, err := Load(Source{File: file, Env: env, Flags: flags})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"flag beats env and file", cfg.Server.Addr, "127.0.0.1:3333"},
		{"env beats file", cfg.Log.Level, "debug"},
		{"file beats default", cfg.Log.Format, "text"},
		{"file duration", cfg.Auth.AccessTokenTTL, 10 * time.Minute},
		{"file size", cfg.Server.BodyLimit, ByteSize(2 << 20)},
		{"default kept", cfg.Data.Dir, "./data"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestEnvCoversEveryKind(t *testing.T) {
	cfg, _, err := Load(Source{Env: []string{
		"NEXUS_SERVER_TRUSTED_PROXIES=10.0.0.1, 192.168.0.0/16",
		"NEXUS_LOG_REQUESTS=false",
		"NEXUS_AUTH_PASSWORD_MIN_LENGTH=12",
		"NEXUS_SERVER_SHUTDOWN_TIMEOUT=5s",
		"NEXUS_SERVER_BODY_LIMIT=1048576",
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Server.TrustedProxies, []string{"10.0.0.1", "192.168.0.0/16"}) || cfg.Log.Requests ||
		cfg.Auth.PasswordMinLength != 12 || cfg.Server.ShutdownTimeout != 5*time.Second || cfg.Server.BodyLimit != 1<<20 {
		t.Fatalf("cfg = %+v", cfg)
	}
}

func TestErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name    string
		src     Source
		wantKey string
		wantMsg string
	}{
		{"unknown key in file", Source{File: "server:\n  adress: x\n"}, "server.adress", "did you mean server.addr"},
		{"unknown section", Source{File: "databse:\n  path: x\n"}, "databse", "unknown setting"},
		{"bad duration in file", Source{File: "auth:\n  access_token_ttl: soon\n"}, "auth.access_token_ttl", "line 2"},
		{"bad number in env", Source{Env: []string{"NEXUS_AUTH_LOGIN_IP_LIMIT=many"}}, "auth.login_ip_limit", "NEXUS_AUTH_LOGIN_IP_LIMIT"},
		{"bad flag", Source{Flags: map[string]string{"server.body_limit": "huge"}, FlagNames: map[string]string{"server.body_limit": "body-limit"}}, "server.body_limit", "--body-limit"},
		{"section given a value", Source{File: "server: 8080\n"}, "server", "section"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.src.File != "" {
				tt.src.File = writeFile(t, tt.src.File)
			}
			_, _, err := Load(tt.src)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *config.Error", err)
			}
			if ce.Key != tt.wantKey || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("err = %q (key %q), want key %q mentioning %q", err, ce.Key, tt.wantKey, tt.wantMsg)
			}
		})
	}
}

func TestValidateNamesTheKey(t *testing.T) {
	tests := []struct {
		key    string
		mutate func(*Config)
	}{
		{"server.addr", func(c *Config) { c.Server.Addr = "localhost" }},
		{"server.addr", func(c *Config) { c.Server.Addr = "127.0.0.1:99999" }},
		{"server.addr", func(c *Config) { c.Server.Addr = "bad host!:80" }},
		{"server.public_url", func(c *Config) { c.Server.PublicURL = "nexus.example.com" }},
		{"server.public_url", func(c *Config) { c.Server.PublicURL = "https://example.com/nexus" }},
		{"server.trusted_proxies", func(c *Config) { c.Server.TrustedProxies = []string{"proxy.local"} }},
		{"server.tls_cert_file", func(c *Config) { c.Server.TLSCertFile = "cert.pem" }},
		{"server.body_limit", func(c *Config) { c.Server.BodyLimit = 10 }},
		{"server.shutdown_timeout", func(c *Config) { c.Server.ShutdownTimeout = 0 }},
		{"data.dir", func(c *Config) { c.Data.Dir = " " }},
		{"log.level", func(c *Config) { c.Log.Level = "verbose" }},
		{"log.format", func(c *Config) { c.Log.Format = "xml" }},
		{"auth.access_token_ttl", func(c *Config) { c.Auth.AccessTokenTTL = 24 * time.Hour }},
		{"auth.refresh_idle_timeout", func(c *Config) { c.Auth.RefreshIdleTimeout = 1000 * time.Hour }},
		{"auth.password_min_length", func(c *Config) { c.Auth.PasswordMinLength = 4 }},
		{"auth.login_ip_limit", func(c *Config) { c.Auth.LoginIPLimit = 0 }},
	}
	for _, tt := range tests {
		cfg := Default()
		tt.mutate(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), "config: "+tt.key+":") {
			t.Errorf("%s: Validate() = %v, want an error naming the key", tt.key, err)
		}
	}
}

func TestUnknownEnvIsAWarning(t *testing.T) {
	_, warnings, err := Load(Source{Env: []string{"NEXUS_SERVER_ADRESS=x", "NEXUS_CONFIG=/etc/nexus.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "NEXUS_SERVER_ADRESS") {
		t.Fatalf("warnings = %v", warnings)
	}
}

func TestEmptyFileIsDefaults(t *testing.T) {
	for _, body := range []string{"", "# only a comment\n", "server:\n"} {
		cfg, _, err := Load(Source{File: writeFile(t, body)})
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		if !reflect.DeepEqual(cfg, Default()) {
			t.Fatalf("%q: cfg differs from defaults", body)
		}
	}
}

// The example file documents every key with its default: loading it must
// give exactly the defaults, and it must mention every key.
func TestExampleFileListsEveryKeyWithItsDefault(t *testing.T) {
	path := filepath.Join("..", "..", "config.example.yaml")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := Load(Source{File: path})
	if err != nil {
		t.Fatalf("config.example.yaml does not load: %v", err)
	}
	if !reflect.DeepEqual(cfg, Default()) {
		t.Fatalf("config.example.yaml differs from the defaults:\n got %+v\nwant %+v", cfg, Default())
	}
	text := string(raw)
	for _, k := range Keys() {
		parts := strings.Split(k[0], ".")
		if !strings.Contains(text, "\n  "+parts[1]+":") {
			t.Errorf("config.example.yaml does not set %s", k[0])
		}
		if !strings.Contains(text, k[1]) {
			t.Errorf("config.example.yaml does not mention the environment variable %s", k[1])
		}
	}
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]ByteSize{"8MiB": 8 << 20, "512KiB": 512 << 10, "1048576": 1 << 20, "1GiB": 1 << 30, "2 MB": 2e6} {
		got, err := parseByteSize(in)
		if err != nil || got != want {
			t.Errorf("parseByteSize(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "lots", "-1", "8XB"} {
		if _, err := parseByteSize(bad); err == nil {
			t.Errorf("parseByteSize(%q) accepted", bad)
		}
	}
	if s := ByteSize(8 << 20).String(); s != "8MiB" {
		t.Errorf("String() = %q", s)
	}
}

func TestSSOProvidersFromFileAndEnv(t *testing.T) {
	file := writeFile(t, `
server:
  public_url: https://nexus.example.com
sso:
  providers:
    - id: google
      name: Google Workspace
      issuer: https://accounts.google.com
      client_id: abc
      client_secret: shh
      scopes: [openid, email, profile]
      allowed_domains: [example.com]
      group_teams:
        eng@example.com: Engineering
`)
	cfg, _, err := Load(Source{File: file})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	p := cfg.SSO.Providers
	if len(p) != 1 || p[0].ID != "google" || p[0].GroupTeams["eng@example.com"] != "Engineering" || len(p[0].Scopes) != 3 {
		t.Fatalf("providers = %+v", p)
	}

	bad := writeFile(t, "sso:\n  providers:\n    - id: x\n      clientid: abc\n")
	_, _, err = Load(Source{File: bad})
	if err == nil || !strings.Contains(err.Error(), "sso.providers[0].clientid") || !strings.Contains(err.Error(), "line 4") {
		t.Fatalf("unknown provider key: %v", err)
	}

	cfg, _, err = Load(Source{Env: []string{`NEXUS_SSO_PROVIDERS=[{"id":"okta","name":"Okta","issuer":"https://acme.okta.com","client_id":"c"}]`,
		"NEXUS_SERVER_PUBLIC_URL=https://nexus.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil || len(cfg.SSO.Providers) != 1 || cfg.SSO.Providers[0].Issuer != "https://acme.okta.com" {
		t.Fatalf("env providers = %+v, %v", cfg.SSO.Providers, err)
	}
	if _, _, err := Load(Source{Env: []string{`NEXUS_SSO_PROVIDERS=[{"id":"okta","clientid":"c"}]`}}); err == nil {
		t.Fatal("unknown field in env JSON accepted")
	}
	cfg = Default()
	cfg.SSO.Providers = []SSOProvider{{ID: "Bad Id", Issuer: "nope", Name: ""}}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "sso.providers[0].id") ||
		!strings.Contains(err.Error(), "sso.providers[0].issuer") || !strings.Contains(err.Error(), "server.public_url") {
		t.Fatalf("Validate = %v", err)
	}
}
