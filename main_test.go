package main

// These tests drive the real nexus binary, as an operator would.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

var nexusBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nexus-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	nexusBin = filepath.Join(dir, "nexus")
	build := exec.Command("go", "build", "-o", nexusBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build nexus:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code   int
	stdout string
	stderr string
}

// run executes nexus with args and stdin, with NEXUS_ variables of the test
// environment removed so they cannot change the outcome.
func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(nexusBin, args...)
	cmd.Env = cleanEnv()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NEXUS_") {
			env = append(env, kv)
		}
	}
	return env
}

func (r result) expect(t *testing.T, code int, contains ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
	all := r.stdout + r.stderr
	for _, c := range contains {
		if !strings.Contains(all, c) {
			t.Fatalf("output lacks %q\nstdout: %s\nstderr: %s", c, r.stdout, r.stderr)
		}
	}
}

func TestVersionAndHelp(t *testing.T) {
	run(t, "", "version").expect(t, 0, "nexus dev", "commit:", "go:      go1.")
	run(t, "", "--help").expect(t, 0, "serve", "migrate", "user", "doctor", "version", "Example")
	dataCommands := [][]string{{"serve"}, {"migrate"}, {"user", "create"}, {"doctor"}}
	for _, cmd := range append(dataCommands, []string{"user"}, []string{"version"}) {
		run(t, "", append(cmd, "--help")...).expect(t, 0, "Examples:")
	}
	for _, cmd := range dataCommands {
		run(t, "", append(cmd, "--help")...).expect(t, 0, "--data", "--config")
	}
}

func TestBadUsageExitsTwo(t *testing.T) {
	run(t, "", "serve", "--bogus").expect(t, 2, "unknown flag: --bogus", "--help")
	run(t, "", "frobnicate").expect(t, 2, "unknown command")
	run(t, "", "migrate", "extra-arg").expect(t, 2)
	run(t, "pw", "user", "create", "--email", "a@example.com").expect(t, 2, "required flag")
	run(t, "", "user", "create", "--email", "a@example.com", "--name", "A").expect(t, 2, "--password-stdin")
	run(t, "secret-password", "user", "create", "--email", "a@example.com", "--name", "A", "--role", "king", "--password-stdin").
		expect(t, 2, "owner, admin, member, guest")
}

func TestInvalidConfigStopsStartupNamingTheKey(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte("server:\n  addr: 127.0.0.1:0\n  shutdown_timout: 5s\n"), 0o600)
	run(t, "", "serve", "--config", cfg, "--data", filepath.Join(dir, "d1")).expect(t, 1, "server.shutdown_timout", "line 3", "did you mean server.shutdown_timeout")

	run(t, "", "serve", "--data", filepath.Join(dir, "d2"), "--addr", "nowhere").expect(t, 1, "server.addr", "HOST:PORT")

	file := filepath.Join(dir, "a-file")
	os.WriteFile(file, []byte("x"), 0o600)
	run(t, "", "serve", "--data", filepath.Join(file, "data"), "--addr", "127.0.0.1:0").expect(t, 1, "data.dir")

	cmd := exec.Command(nexusBin, "serve", "--data", filepath.Join(dir, "d3"), "--addr", "127.0.0.1:0")
	cmd.Env = append(cleanEnv(), "NEXUS_LOG_FORMAT=yaml")
	out, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(out), "log.format") {
		t.Fatalf("bad env value: exit %d, output %s", cmd.ProcessState.ExitCode(), out)
	}

	// A port in use is a config problem too.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	run(t, "", "serve", "--data", filepath.Join(dir, "d4"), "--addr", ln.Addr().String()).expect(t, 1, "server.addr", "cannot listen")
}

func TestMigrateAndStatus(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	run(t, "", "migrate", "--data", data).expect(t, 0, "applied 00001_init.sql", "applied 00002_audit_retention.sql")
	run(t, "", "migrate", "--data", data).expect(t, 0, "up to date")
	r := run(t, "", "migrate", "--status", "--data", data)
	r.expect(t, 0, "00001_init.sql", "applied", "0 pending")
	info, err := os.Stat(data)
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("data dir mode = %v (%v), want 0700", info.Mode().Perm(), err)
	}
	key, err := os.Stat(filepath.Join(data, "keys", "signing.key"))
	if err != nil || key.Mode().Perm() != 0o600 || key.Size() != 32 {
		t.Fatalf("signing key = %v, %v", key, err)
	}
}

func TestUserCreate(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	run(t, "a long enough password\n", "user", "create", "--data", data, "--email", "Admin@Example.com",
		"--name", "관리자 Kim", "--role", "admin", "--password-stdin").expect(t, 0, "Created admin 관리자 Kim <admin@example.com>")
	run(t, "another password\n", "user", "create", "--data", data, "--email", "admin@example.com",
		"--name", "Dup", "--role", "member", "--password-stdin").expect(t, 1, "already exists")
	run(t, "short\n", "user", "create", "--data", data, "--email", "m@example.com",
		"--name", "M", "--password-stdin").expect(t, 1, "at least 8 characters")
	run(t, "", "user", "create", "--data", data, "--email", "m@example.com",
		"--name", "M", "--password-stdin").expect(t, 2, "no password")

	// The account works once the server starts.
	srv := startServer(t, data)
	defer srv.stop(t)
	r := srv.post(t, "/api/v1/auth/login", `{"email":"admin@example.com","password":"a long enough password"}`, "")
	if r.status != 200 || !strings.Contains(r.body, `"role":"admin"`) {
		t.Fatalf("login with the CLI-created account: %d %s", r.status, r.body)
	}
	// The setup page is skipped once any account exists... unless it is not
	// an owner; setup is about the first account, so it is no longer needed.
	if r := srv.get(t, "/api/v1/setup", ""); !strings.Contains(r.body, `"needed":false`) {
		t.Fatalf("setup after CLI user: %s", r.body)
	}
}

func TestDoctor(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	run(t, "", "doctor", "--data", data).expect(t, 1, "does not exist")
	run(t, "", "migrate", "--data", data).expect(t, 0)
	run(t, "", "doctor", "--data", data).expect(t, 0, "integrity check passed", "migration(s) applied; schema version", "Everything looks healthy")

	if err := os.Chmod(data, 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, "", "doctor", "--data", data).expect(t, 1, "mode 0755", "chmod 700", "1 problem(s)")
	os.Chmod(data, 0o700)

	os.Chmod(filepath.Join(data, "keys", "signing.key"), 0o644)
	run(t, "", "doctor", "--data", data).expect(t, 1, "chmod 600")
	os.Chmod(filepath.Join(data, "keys", "signing.key"), 0o600)

	// Corrupt the database file: the integrity check must notice.
	db := filepath.Join(data, "nexus.db")
	raw, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	// Byte 0 of each b-tree page is its type; zero is not a valid one.
	for page := 1; page*4096 < len(raw); page++ {
		raw[page*4096] = 0
	}
	os.WriteFile(db, raw, 0o600)
	r := run(t, "", "doctor", "--data", data)
	if r.code != 1 || !strings.Contains(r.stdout, "FAIL") {
		t.Fatalf("corrupt database: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("log:\n  levle: debug\n"), 0o600)
	run(t, "", "doctor", "--config", bad, "--data", data).expect(t, 1, "log.levle")
}

// server is a running nexus process.
type server struct {
	cmd  *exec.Cmd
	base string
	logs *bytes.Buffer
	done chan error
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startServer(t *testing.T, data string) *server {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(nexusBin, "serve", "--data", data, "--addr", addr, "--log-format", "text")
	cmd.Env = cleanEnv()
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, base: "http://" + addr, logs: logs, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		select {
		case err := <-s.done:
			t.Fatalf("server exited early: %v\n%s", err, logs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cmd.Process.Kill()
	t.Fatalf("server not ready\n%s", logs)
	return nil
}

// stop sends SIGTERM and requires a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("server exit: %v\n%s", err, s.logs)
		}
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		t.Fatalf("server did not stop within 20s of SIGTERM\n%s", s.logs)
	}
}

type httpResult struct {
	status  int
	body    string
	cookies []*http.Cookie
}

func (s *server) send(t *testing.T, method, path, body, bearer, cookie string) httpResult {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, s.base+path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return httpResult{status: resp.StatusCode, body: string(raw), cookies: resp.Cookies()}
}

func (s *server) post(t *testing.T, path, body, bearer string) httpResult {
	return s.send(t, "POST", path, body, bearer, "")
}

func (s *server) get(t *testing.T, path, bearer string) httpResult {
	return s.send(t, "GET", path, "", bearer, "")
}

func TestRestartKeepsEverything(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	srv := startServer(t, data)
	setup := srv.post(t, "/api/v1/setup", `{"email":"owner@example.com","name":"이서연","password":"correct horse battery"}`, "")
	if setup.status != 201 {
		t.Fatalf("setup: %d %s", setup.status, setup.body)
	}
	var auth struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal([]byte(setup.body), &auth)
	var refresh string
	for _, c := range setup.cookies {
		if c.Name == "nexus_refresh" {
			refresh = c.Value
		}
	}
	srv.stop(t)
	if !strings.Contains(srv.logs.String(), "stopped") {
		t.Fatalf("no clean shutdown in the log:\n%s", srv.logs)
	}
	// A stopped server's directory holds no WAL left to replay: copying it
	// is a complete backup.
	if info, err := os.Stat(filepath.Join(data, "nexus.db-wal")); err == nil && info.Size() > 0 {
		t.Fatalf("WAL not checkpointed on shutdown: %d bytes", info.Size())
	}

	srv = startServer(t, data)
	defer srv.stop(t)
	if r := srv.get(t, "/api/v1/setup", ""); !strings.Contains(r.body, `"needed":false`) {
		t.Fatalf("after restart setup is needed again: %s", r.body)
	}
	if r := srv.get(t, "/api/v1/me", auth.AccessToken); r.status != 200 || !strings.Contains(r.body, "이서연") {
		t.Fatalf("access token from before the restart: %d %s", r.status, r.body)
	}
	if r := srv.send(t, "POST", "/api/v1/auth/refresh", "", "", "nexus_refresh="+refresh); r.status != 200 {
		t.Fatalf("refresh token from before the restart: %d %s", r.status, r.body)
	}
	if r := srv.post(t, "/api/v1/auth/login", `{"email":"owner@example.com","password":"correct horse battery"}`, ""); r.status != 200 {
		t.Fatalf("login after restart: %d %s", r.status, r.body)
	}
}

func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	srv := startServer(t, data)
	if r := srv.post(t, "/api/v1/setup", `{"email":"o@example.com","name":"O","password":"correct horse battery"}`, ""); r.status != 201 {
		t.Fatal(r.body)
	}
	// A sign-in spends tens of milliseconds hashing; send SIGTERM while
	// several are in flight and require every one to complete.
	const n = 4
	results := make(chan int, n)
	for i := 0; i < n; i++ {
		go func() {
			conn, err := net.Dial("tcp", strings.TrimPrefix(srv.base, "http://"))
			if err != nil {
				results <- -1
				return
			}
			defer conn.Close()
			body := `{"email":"o@example.com","password":"correct horse battery"}`
			fmt.Fprintf(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				results <- -2
				return
			}
			resp.Body.Close()
			results <- resp.StatusCode
		}()
	}
	time.Sleep(15 * time.Millisecond)
	srv.stop(t)
	for i := 0; i < n; i++ {
		if code := <-results; code != 200 {
			t.Fatalf("a request in flight during shutdown got %d, want 200\n%s", code, srv.logs)
		}
	}
}

// An owner who lost both their password and their authenticator can be
// recovered by the operator from the command line.
func TestAccountRecoveryFromTheCommandLine(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	srv := startServer(t, data)
	setup := srv.post(t, "/api/v1/setup", `{"email":"owner@example.com","name":"Owner","password":"correct horse battery"}`, "")
	var auth struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal([]byte(setup.body), &auth)
	begin := srv.post(t, "/api/v1/me/mfa/totp", "", auth.AccessToken)
	var enrol struct {
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal([]byte(begin.body), &enrol); err != nil || enrol.Secret == "" {
		t.Fatalf("begin TOTP: %d %s", begin.status, begin.body)
	}
	code, err := totp.GenerateCode(enrol.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if r := srv.post(t, "/api/v1/me/mfa/totp/confirm", `{"code":"`+code+`"}`, auth.AccessToken); r.status != 200 {
		t.Fatalf("confirm TOTP: %d %s", r.status, r.body)
	}
	if r := srv.post(t, "/api/v1/auth/login", `{"email":"owner@example.com","password":"correct horse battery"}`, ""); !strings.Contains(r.body, `"mfa_required":true`) {
		t.Fatalf("MFA not required after enrolment: %s", r.body)
	}
	srv.stop(t)

	run(t, "", "user", "reset-mfa", "--data", data, "--email", "nobody@example.com").expect(t, 1, "no account")
	run(t, "", "user", "reset-mfa", "--data", data, "--email", "OWNER@example.com").expect(t, 0, "Two-factor authentication is off for Owner")
	run(t, "short\n", "user", "set-password", "--data", data, "--email", "owner@example.com", "--password-stdin").expect(t, 1, "at least 8")
	run(t, "a brand new passphrase\n", "user", "set-password", "--data", data, "--email", "owner@example.com", "--password-stdin").
		expect(t, 0, "sessions were ended")

	srv = startServer(t, data)
	defer srv.stop(t)
	if r := srv.get(t, "/api/v1/me", auth.AccessToken); r.status != 401 {
		t.Fatalf("old session after set-password: %d, want 401", r.status)
	}
	r := srv.post(t, "/api/v1/auth/login", `{"email":"owner@example.com","password":"a brand new passphrase"}`, "")
	if r.status != 200 || !strings.Contains(r.body, "access_token") {
		t.Fatalf("login after recovery: %d %s", r.status, r.body)
	}
}
