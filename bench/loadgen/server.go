package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stopGrace is how long a server gets between SIGTERM and SIGKILL.
const stopGrace = 5 * time.Second

// server is one nexus process under test, with its own temporary directory.
type server struct {
	bin     string
	tmp     string // temporary root, removed by stop
	dataDir string // <tmp>/data, does not exist before the start
	addr    string
	base    string // http://addr
	logPath string

	cmd     *exec.Cmd
	logFile *os.File
	started time.Time
	exited  chan struct{} // closed when the process has exited
	waitErr error

	stopOnce sync.Once
	stopDur  time.Duration
	stopErr  error
}

// serverOptions are the knobs every start shares.
type serverOptions struct {
	bin      string   // absolute path of the nexus binary
	env      []string // extra NEXUS_* variables
	logLevel string   // passed as --log-level when not empty
}

// cleanEnv is the generator's environment without NEXUS_* variables, so a
// caller's own configuration cannot leak into the measured server.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NEXUS_") {
			env = append(env, kv)
		}
	}
	return env
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startServer execs `nexus serve` on a fresh, not yet existing data dir and
// a free loopback port. It does not wait for readiness.
func startServer(opts serverOptions) (*server, error) {
	tmp, err := os.MkdirTemp("", "nexus-bench-")
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	s := &server{
		bin:     opts.bin,
		tmp:     tmp,
		dataDir: filepath.Join(tmp, "data"),
		addr:    addr,
		base:    "http://" + addr,
		logPath: filepath.Join(tmp, "server.log"),
		exited:  make(chan struct{}),
	}
	s.logFile, err = os.Create(s.logPath)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	args := []string{"serve", "--data", s.dataDir, "--addr", s.addr}
	if opts.logLevel != "" {
		args = append(args, "--log-level", opts.logLevel)
	}
	s.cmd = exec.Command(opts.bin, args...)
	s.cmd.Dir = tmp // no stray ./config.yaml or ./data from the caller's directory
	s.cmd.Env = append(cleanEnv(), opts.env...)
	s.cmd.Stdout = s.logFile
	s.cmd.Stderr = s.logFile
	s.cmd.SysProcAttr = serverProcAttr()

	s.started = time.Now()
	if err := s.cmd.Start(); err != nil {
		s.logFile.Close()
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("start %s: %w", opts.bin, err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	return s, nil
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// waitReady polls GET /readyz every poll interval until the first 200 and
// returns the time from exec to that response.
func (s *server) waitReady(ctx context.Context, poll, timeout time.Duration) (time.Duration, error) {
	client := &http.Client{
		Timeout:   time.Second,
		Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 1},
	}
	defer client.CloseIdleConnections()
	url := s.base + "/readyz"
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(poll)
	defer tick.Stop()
	lastStatus := "no answer"
	for {
		resp, err := client.Get(url)
		if err == nil {
			code := resp.StatusCode
			drain(resp)
			if code == http.StatusOK {
				return time.Since(s.started), nil
			}
			lastStatus = fmt.Sprintf("HTTP %d", code)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-s.exited:
			return 0, fmt.Errorf("server exited before it was ready (%v)", s.waitErr)
		case <-deadline.C:
			return 0, fmt.Errorf("server not ready after %s (last /readyz: %s)", timeout, lastStatus)
		case <-tick.C:
		}
	}
}

// exitedEarly reports whether the process has already exited.
func (s *server) exitedEarly() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, waits up to stopGrace, then SIGKILLs, and removes the
// temporary directory. It returns the time from SIGTERM to exit and an error
// when the server did not stop gracefully with status 0. Safe to call twice.
func (s *server) stop() (time.Duration, error) {
	s.stopOnce.Do(func() {
		defer func() {
			s.logFile.Close()
			os.RemoveAll(s.tmp)
		}()
		if s.exitedEarly() {
			s.stopErr = fmt.Errorf("server had already exited (%v)", s.waitErr)
			return
		}
		t0 := time.Now()
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
			s.stopDur = time.Since(t0)
			if s.waitErr != nil {
				s.stopErr = fmt.Errorf("server exited with %v after SIGTERM", s.waitErr)
			}
		case <-time.After(stopGrace):
			_ = s.cmd.Process.Kill()
			<-s.exited
			s.stopDur = time.Since(t0)
			s.stopErr = fmt.Errorf("server ignored SIGTERM for %s; killed", stopGrace)
		}
	})
	return s.stopDur, s.stopErr
}

// logTail returns the last n lines of the server's log (stdout+stderr).
func (s *server) logTail(n int) string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return ""
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// serverError decorates err with the tail of the server log.
func (s *server) serverError(err error) error {
	if tail := s.logTail(15); tail != "" {
		return fmt.Errorf("%w\n--- last lines of the server log ---\n%s", err, tail)
	}
	return err
}

// startReady starts a server and waits until /readyz says 200. It retries
// (with a new port and directory) when the process exits before it is ready,
// which is what happens if another process grabbed the chosen port.
func startReady(ctx context.Context, opts serverOptions) (*server, time.Duration, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := startServer(opts)
		if err != nil {
			return nil, 0, err
		}
		d, err := s.waitReady(ctx, 2*time.Millisecond, 10*time.Second)
		if err == nil {
			return s, d, nil
		}
		lastErr = s.serverError(err)
		early := s.exitedEarly()
		s.stop()
		if !early || ctx.Err() != nil {
			break
		}
	}
	return nil, 0, lastErr
}
