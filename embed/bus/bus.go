// Package bus is Nexus's message bus: an embedded NATS server and a client
// connected to it in-process. Nothing listens on the network unless a listen
// address is configured; then external clients may subscribe to events (read
// only) after signing in as the "external" user.
//
// The bus is not durable: the outbox table in SQLite is the log, and
// consumers catch up from it (see app/realtime). JetStream is therefore off.
package bus

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Config configures Open.
type Config struct {
	// Listen is a HOST:PORT for external NATS clients; empty keeps the bus
	// in-process only.
	Listen string
	// ExternalPassword is the password of the read-only "external" user
	// that TCP clients sign in as. Empty: no external user exists, so a
	// listener accepts nobody.
	ExternalPassword string
	// Log receives the server's warnings and errors; nil discards them.
	Log *slog.Logger
}

// ExternalUser is the name external clients sign in with. It may subscribe
// to events.> and publish nothing.
const ExternalUser = "external"

const internalUser = "nexus"

// Limits.
const (
	// maxPayload bounds one message; events carry ids and small data.
	maxPayload = 8 << 20
	// A subscription's backlog before NATS drops messages for it. Consumers
	// notice the gap in sequences and catch up from the outbox, so this
	// only bounds memory.
	pendingMsgs  = 1 << 20
	pendingBytes = 512 << 20
	readyTimeout = 10 * time.Second
)

// Bus is a running embedded server with its in-process client.
type Bus struct {
	srv *server.Server
	nc  *nats.Conn
	log *slog.Logger

	mu     sync.Mutex
	closed bool
}

// Open starts the server and connects the client. It returns once both are
// ready.
func Open(cfg Config) (*Bus, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	internalPassword, err := randomSecret()
	if err != nil {
		return nil, err
	}
	opts := &server.Options{
		ServerName: "nexus",
		DontListen: cfg.Listen == "",
		NoSigs:     true,
		MaxPayload: maxPayload,
		Users:      []*server.User{{Username: internalUser, Password: internalPassword}},
	}
	if cfg.ExternalPassword != "" {
		opts.Users = append(opts.Users, &server.User{Username: ExternalUser, Password: cfg.ExternalPassword,
			Permissions: &server.Permissions{
				Publish:   &server.SubjectPermission{Deny: []string{">"}},
				Subscribe: &server.SubjectPermission{Allow: []string{"events.>"}},
			}})
	}
	if cfg.Listen != "" {
		host, port, err := net.SplitHostPort(cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("nats listen address %q: %w", cfg.Listen, err)
		}
		if opts.Port, err = strconv.Atoi(port); err != nil {
			return nil, fmt.Errorf("nats listen port %q: %w", port, err)
		}
		opts.Host = host
		// NATS reports a busy port only in its log and then never becomes
		// ready; trying the port first gives a clear error at once.
		ln, err := net.Listen("tcp", cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("nats listen address: %w", err)
		}
		ln.Close()
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("start message bus: %w", err)
	}
	srv.SetLoggerV2(natsLogger{log}, false, false, false)
	srv.Start()
	if !srv.ReadyForConnections(readyTimeout) {
		srv.Shutdown()
		if cfg.Listen != "" {
			return nil, fmt.Errorf("start message bus: not ready after %s (is %s free?)", readyTimeout, cfg.Listen)
		}
		return nil, fmt.Errorf("start message bus: not ready after %s", readyTimeout)
	}
	b := &Bus{srv: srv, log: log}
	b.nc, err = nats.Connect("", nats.InProcessServer(srv), nats.UserInfo(internalUser, internalPassword),
		nats.Name("nexus"), nats.MaxReconnects(-1),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			// Typically a slow subscriber losing messages: consumers see the
			// gap in sequences and catch up from the outbox.
			log.Warn("message bus", "subject", subject, "error", err)
		}))
	if err != nil {
		srv.Shutdown()
		return nil, fmt.Errorf("connect to message bus: %w", err)
	}
	return b, nil
}

// Publish sends data on subject. It returns once the message is queued for
// the server; delivery to subscribers is asynchronous.
func (b *Bus) Publish(subject string, data []byte) error {
	if err := b.nc.Publish(subject, data); err != nil {
		return fmt.Errorf("publish on %s: %w", subject, err)
	}
	return nil
}

// Flush waits until the server has received everything published so far.
func (b *Bus) Flush(timeout time.Duration) error {
	return b.nc.FlushTimeout(timeout)
}

// Subscribe calls fn for every message on subject (wildcards allowed), one
// at a time and in the order they were published. The returned function
// ends the subscription.
func (b *Bus) Subscribe(subject string, fn func(data []byte)) (unsubscribe func(), err error) {
	sub, err := b.nc.Subscribe(subject, func(m *nats.Msg) { fn(m.Data) })
	if err != nil {
		return nil, fmt.Errorf("subscribe to %s: %w", subject, err)
	}
	if err := sub.SetPendingLimits(pendingMsgs, pendingBytes); err != nil {
		_ = sub.Unsubscribe()
		return nil, fmt.Errorf("subscribe to %s: %w", subject, err)
	}
	return func() { _ = sub.Unsubscribe() }, nil
}

// Addr is the TCP address external clients connect to, or "" when the bus
// does not listen.
func (b *Bus) Addr() string {
	if a, ok := b.srv.Addr().(*net.TCPAddr); ok && a != nil {
		return a.String()
	}
	return ""
}

// Close disconnects the client and stops the server. Messages already
// queued are delivered first (drain) when the server answers in time.
func (b *Bus) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	var errs []error
	if err := b.nc.FlushTimeout(2 * time.Second); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		errs = append(errs, fmt.Errorf("flush message bus: %w", err))
	}
	b.nc.Close()
	b.srv.Shutdown()
	b.srv.WaitForShutdown()
	return errors.Join(errs...)
}

func randomSecret() (string, error) {
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("message bus secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

// natsLogger forwards the server's log to slog: warnings and errors as
// such, notices at debug level (they are chatty at start and stop).
type natsLogger struct{ log *slog.Logger }

func (l natsLogger) Noticef(format string, v ...any) {
	l.log.Debug("nats: " + fmt.Sprintf(format, v...))
}

func (l natsLogger) Warnf(format string, v ...any) { l.log.Warn("nats: " + fmt.Sprintf(format, v...)) }

func (l natsLogger) Fatalf(format string, v ...any) {
	l.log.Error("nats: " + fmt.Sprintf(format, v...))
}

func (l natsLogger) Errorf(format string, v ...any) {
	l.log.Error("nats: " + fmt.Sprintf(format, v...))
}

func (l natsLogger) Debugf(format string, v ...any) {
	l.log.Debug("nats: " + fmt.Sprintf(format, v...))
}

func (l natsLogger) Tracef(string, ...any) {}
