package main

// Starting and stopping the nexus binary, as bench/loadgen does (a trimmed
// copy of its server.go: the two generators are separate commands).

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

const stopGrace = 10 * time.Second

type server struct {
	tmp     string
	addr    string
	base    string
	logPath string

	cmd     *exec.Cmd
	logFile *os.File
	exited  chan struct{}
	waitErr error

	stopOnce sync.Once
	stopErr  error
}

// cleanEnv is the generator's environment without NEXUS_* variables.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NEXUS_") {
			env = append(env, kv)
		}
	}
	return env
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startServer execs `nexus serve` on a free loopback port and waits until
// /readyz answers 200. The data directory is a fresh one, or a copy of
// seedData when that is set. stop removes it.
func startServer(ctx context.Context, bin string, env []string, seedData string) (*server, error) {
	tmp, err := os.MkdirTemp("", "nexus-wsload-")
	if err != nil {
		return nil, err
	}
	if seedData != "" {
		if err := copyDir(seedData, filepath.Join(tmp, "data")); err != nil {
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("copy the seeded data directory: %w", err)
		}
	}
	addr, err := freeAddr()
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	s := &server{tmp: tmp, addr: addr, base: "http://" + addr, logPath: filepath.Join(tmp, "server.log"),
		exited: make(chan struct{})}
	if s.logFile, err = os.Create(s.logPath); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	s.cmd = exec.Command(bin, "serve", "--data", filepath.Join(tmp, "data"), "--addr", addr)
	s.cmd.Dir = tmp
	s.cmd.Env = append(cleanEnv(), env...)
	s.cmd.Stdout, s.cmd.Stderr = s.logFile, s.logFile
	s.cmd.SysProcAttr = serverProcAttr()
	if err := s.cmd.Start(); err != nil {
		s.logFile.Close()
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := client.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-s.exited:
			err := s.serverError(fmt.Errorf("server exited before it was ready (%v)", s.waitErr))
			s.stop()
			return nil, err
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			err := s.serverError(fmt.Errorf("server not ready after 20s"))
			s.stop()
			return nil, err
		}
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

func (s *server) dataDir() string { return filepath.Join(s.tmp, "data") }

// stop sends SIGTERM, waits, SIGKILLs if needed, and removes the directory.
func (s *server) stop() error {
	return s.stopKeeping("")
}

// stopKeeping stops the server and, when keep is set and the server
// stopped cleanly, moves its data directory there before cleaning up.
func (s *server) stopKeeping(keep string) error {
	s.stopOnce.Do(func() {
		defer func() {
			s.logFile.Close()
			if keep != "" && s.stopErr == nil {
				os.RemoveAll(keep)
				if err := os.MkdirAll(filepath.Dir(keep), 0o700); err != nil {
					s.stopErr = err
				} else if err := copyDir(s.dataDir(), keep); err != nil {
					s.stopErr = fmt.Errorf("keep the data directory: %w", err)
				}
			}
			os.RemoveAll(s.tmp)
		}()
		select {
		case <-s.exited:
			s.stopErr = fmt.Errorf("server had already exited (%v)", s.waitErr)
			return
		default:
		}
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
			if s.waitErr != nil {
				s.stopErr = fmt.Errorf("server exited with %v after SIGTERM", s.waitErr)
			}
		case <-time.After(stopGrace):
			_ = s.cmd.Process.Signal(syscall.SIGQUIT) // goroutine dump into the log
			time.Sleep(500 * time.Millisecond)
			_ = s.cmd.Process.Kill()
			<-s.exited
			s.stopErr = s.serverError(fmt.Errorf("server ignored SIGTERM for %s; killed", stopGrace))
			if b, err := os.ReadFile(s.logPath); err == nil {
				_ = os.WriteFile(filepath.Join(os.TempDir(), "wsload-stuck-server.log"), b, 0o600)
			}
		}
	})
	return s.stopErr
}

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

func (s *server) serverError(err error) error {
	if tail := s.logTail(15); tail != "" {
		return fmt.Errorf("%w\n--- last lines of the server log ---\n%s", err, tail)
	}
	return err
}

// copyDir copies a directory tree of regular files (a stopped server's data
// directory), keeping file modes.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode().Perm())
	})
}
