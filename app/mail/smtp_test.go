package mail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/textproto"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"nexus/app"
	nexusmail "nexus/app/mail"
	"nexus/store"
)

// fakeSMTP is a small SMTP server on a loopback port: enough of RFC 5321
// (EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for the
// real net/smtp client our sender uses. rcptReply, when set, chooses the
// reply to RCPT TO for the n-th delivery (from 1), to simulate refusals.
type fakeSMTP struct {
	t         *testing.T
	ln        net.Listener
	tlsConfig *tls.Config // offered via STARTTLS when set and not implicit
	implicit  bool        // the listener itself is TLS
	user      string      // AUTH PLAIN credentials; empty: AUTH not offered
	pass      string
	rcptReply func(n int) string

	mu         sync.Mutex
	deliveries int
	received   []received
}

type received struct {
	from, to string
	data     string
	authUser string
	tls      bool
	helo     string
}

func newFakeSMTP(t *testing.T, configure func(*fakeSMTP)) *fakeSMTP {
	t.Helper()
	f := &fakeSMTP{t: t}
	if configure != nil {
		configure(f)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if f.implicit {
		ln = tls.NewListener(ln, f.tlsConfig)
	}
	f.ln = ln
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(conn)
		}
	}()
	return f
}

func (f *fakeSMTP) port() int { return f.ln.Addr().(*net.TCPAddr).Port }

func (f *fakeSMTP) messages() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.received...)
}

func (f *fakeSMTP) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	_, secure := conn.(*tls.Conn)
	tp := textproto.NewConn(conn)
	reply := func(s string) { tp.PrintfLine("%s", s) }
	reply("220 fake.example ESMTP ready")
	var cur received
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			cur.helo = arg
			lines := []string{"fake.example greets " + arg, "8BITMIME"}
			if f.tlsConfig != nil && !f.implicit && !secure {
				lines = append(lines, "STARTTLS")
			}
			if f.user != "" {
				lines = append(lines, "AUTH PLAIN")
			}
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				reply("250" + sep + l)
			}
		case "STARTTLS":
			if f.tlsConfig == nil || secure {
				reply("502 5.5.1 not supported")
				continue
			}
			reply("220 2.0.0 go ahead")
			tc := tls.Server(conn, f.tlsConfig)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, secure = tc, true
			tp = textproto.NewConn(tc)
			reply = func(s string) { tp.PrintfLine("%s", s) }
			cur = received{}
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			raw, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if strings.ToUpper(mech) != "PLAIN" || err != nil || len(parts) != 3 || parts[1] != f.user || parts[2] != f.pass {
				reply("535 5.7.8 authentication failed")
				continue
			}
			cur.authUser = parts[1]
			reply("235 2.7.0 authenticated")
		case "MAIL":
			// MAIL FROM:<address> [parameters such as BODY=8BITMIME]
			addr, _, _ := strings.Cut(arg[len("FROM:"):], " ")
			cur.from = strings.Trim(addr, "<>")
			reply("250 2.1.0 ok")
		case "RCPT":
			f.mu.Lock()
			f.deliveries++
			n := f.deliveries
			f.mu.Unlock()
			r := "250 2.1.5 ok"
			if f.rcptReply != nil {
				r = f.rcptReply(n)
			}
			if strings.HasPrefix(r, "250") {
				cur.to = strings.Trim(arg[3:], "<>")
			}
			reply(r)
		case "DATA":
			if cur.to == "" {
				reply("503 5.5.1 no recipient")
				continue
			}
			reply("354 go ahead")
			data, err := io.ReadAll(tp.DotReader())
			if err != nil {
				return
			}
			cur.data, cur.tls = string(data), secure
			f.mu.Lock()
			f.received = append(f.received, cur)
			f.mu.Unlock()
			cur = received{authUser: cur.authUser, helo: cur.helo}
			reply("250 2.0.0 queued")
		case "RSET", "NOOP":
			reply("250 2.0.0 ok")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply("500 5.5.2 unknown command")
		}
	}
}

// selfSignedTLS makes a certificate for 127.0.0.1 and the client config
// that trusts it.
func selfSignedTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fake smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type mailEnv struct {
	st    *store.Store
	clock *testClock
	svc   *nexusmail.Service
}

func newMailEnv(t *testing.T, cfg nexusmail.Config) *mailEnv {
	t.Helper()
	clk := &testClock{t: time.Now().UTC()}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "nexus.db"), store.Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &mailEnv{st: st, clock: clk, svc: nexusmail.NewService(st, cfg, clk.now, log)}
}

// enqueue composes a message and adds it to the outbox, as a use-case does
// inside its transaction.
func (e *mailEnv) enqueue(t *testing.T, kind nexusmail.Kind, to, lang string, data any) *nexusmail.Message {
	t.Helper()
	m, err := e.svc.New(kind, to, lang, "Asia/Seoul", data)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.Update(context.Background(), func(tx *store.Tx) error { return tx.EnqueueMail(context.Background(), m) }); err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *mailEnv) row(t *testing.T, id string) *nexusmail.Message {
	t.Helper()
	m, err := e.st.FindMail(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func smtpConfig(f *fakeSMTP, security string) nexusmail.SMTPConfig {
	return nexusmail.SMTPConfig{Host: "127.0.0.1", Port: f.port(), Security: security, From: "Nexus 알림 <nexus@example.com>",
		HelloName: "nexus.example.com", Timeout: 5 * time.Second}
}

// parsed is a delivered message taken apart like a mail client would.
type parsed struct {
	header       mail.Header
	subject      string
	text, html   string
	contentTypes []string
}

func parseDelivered(t *testing.T, data string) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("not a mail message: %v\n%s", err, data)
	}
	p := parsed{header: msg.Header}
	dec := new(mime.WordDecoder)
	if p.subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(part)
		ct := part.Header.Get("Content-Type")
		p.contentTypes = append(p.contentTypes, ct)
		switch {
		case strings.HasPrefix(ct, "text/plain"):
			p.text = string(body)
		case strings.HasPrefix(ct, "text/html"):
			p.html = string(body)
		}
	}
	return p
}

func TestSMTPDeliveryWithSTARTTLSAndAuth(t *testing.T) {
	serverTLS, clientTLS := selfSignedTLS(t)
	f := newFakeSMTP(t, func(f *fakeSMTP) { f.tlsConfig, f.user, f.pass = serverTLS, "nexus", "s3cret" })
	cfg := smtpConfig(f, "starttls")
	cfg.Username, cfg.Password, cfg.TLS = "nexus", "s3cret", clientTLS
	env := newMailEnv(t, nexusmail.Config{SMTP: cfg})
	if !env.svc.Delivers() {
		t.Fatal("Delivers() = false with an SMTP host")
	}
	m := env.enqueue(t, nexusmail.KindPasswordReset, "kim@example.com", "ko", nexusmail.PasswordResetData{
		Name: "김하늘", Email: "kim@example.com", Link: "https://nexus.example.com/reset-password?token=abc", ValidFor: 30 * time.Minute})
	if m.Status != nexusmail.StatusQueued {
		t.Fatalf("status = %s, want queued", m.Status)
	}
	n, err := env.svc.DeliverDue(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("DeliverDue = %d, %v", n, err)
	}
	got := f.messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages", len(got))
	}
	r := got[0]
	if !r.tls || r.authUser != "nexus" || r.from != "nexus@example.com" || r.to != "kim@example.com" || r.helo != "nexus.example.com" {
		t.Fatalf("envelope = %+v", r)
	}
	p := parseDelivered(t, r.data)
	if p.subject != "Nexus 비밀번호 재설정" || !strings.Contains(p.text, "김하늘님, 안녕하세요.") ||
		!strings.Contains(p.text, "https://nexus.example.com/reset-password?token=abc") || !strings.Contains(p.text, "30분 동안") ||
		!strings.Contains(p.html, `href="https://nexus.example.com/reset-password?token=abc"`) {
		t.Fatalf("delivered:\nsubject %q\ntext %s\nhtml %s", p.subject, p.text, p.html)
	}
	from, err := p.header.AddressList("From")
	if err != nil || from[0].Name != "Nexus 알림" || from[0].Address != "nexus@example.com" {
		t.Fatalf("From = %v, %v", from, err)
	}
	if p.header.Get("Message-ID") != "<"+m.ID+"@example.com>" || p.header.Get("Content-Language") != "ko" ||
		p.header.Get("Auto-Submitted") != "auto-generated" {
		t.Fatalf("headers = %v", p.header)
	}
	row := env.row(t, m.ID)
	if row.Status != nexusmail.StatusSent || row.Attempts != 1 || row.SentAt.IsZero() || row.LastError != "" {
		t.Fatalf("outbox row = %+v", row)
	}
	if n, _ := env.svc.DeliverDue(context.Background()); n != 0 {
		t.Fatalf("a sent message was attempted again (%d)", n)
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	serverTLS, clientTLS := selfSignedTLS(t)
	f := newFakeSMTP(t, func(f *fakeSMTP) { f.tlsConfig, f.implicit = serverTLS, true })
	cfg := smtpConfig(f, "tls")
	cfg.TLS = clientTLS
	env := newMailEnv(t, nexusmail.Config{SMTP: cfg})
	m := env.enqueue(t, nexusmail.KindEmailChanged, "old@example.com", "en", nexusmail.EmailChangedData{
		Name: "Kim", OldEmail: "old@example.com", NewEmail: "new@example.com", At: env.clock.now()})
	if _, err := env.svc.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := f.messages(); len(got) != 1 || !got[0].tls {
		t.Fatalf("received = %+v", got)
	}
	if row := env.row(t, m.ID); row.Status != nexusmail.StatusSent {
		t.Fatalf("row = %+v", row)
	}
}

func TestSMTPRefusesToSendWithoutTLSWhenSTARTTLSIsMissing(t *testing.T) {
	f := newFakeSMTP(t, func(f *fakeSMTP) { f.user, f.pass = "nexus", "s3cret" }) // no TLS on offer
	cfg := smtpConfig(f, "starttls")
	cfg.Username, cfg.Password = "nexus", "s3cret"
	env := newMailEnv(t, nexusmail.Config{SMTP: cfg})
	m := env.enqueue(t, nexusmail.KindPasswordChanged, "kim@example.com", "en", nexusmail.PasswordChangedData{Name: "Kim", Email: "kim@example.com", At: env.clock.now()})
	env.svc.DeliverDue(context.Background())
	row := env.row(t, m.ID)
	if row.Status != nexusmail.StatusQueued || !strings.Contains(row.LastError, "STARTTLS") || len(f.messages()) != 0 {
		t.Fatalf("row = %+v, received %d", row, len(f.messages()))
	}
}

func TestSMTPRetriesWithBackoffThenSends(t *testing.T) {
	f := newFakeSMTP(t, func(f *fakeSMTP) {
		f.rcptReply = func(n int) string {
			if n <= 2 {
				return "451 4.3.0 mailbox busy, try later"
			}
			return "250 2.1.5 ok"
		}
	})
	env := newMailEnv(t, nexusmail.Config{SMTP: smtpConfig(f, "none"), RetryBase: time.Minute, RetryMax: time.Hour})
	m := env.enqueue(t, nexusmail.KindInvitation, "park@example.com", "en", nexusmail.InvitationData{
		InviterName: "Kim", Role: "member", Link: "https://nexus.example.com/invite/t", ExpiresAt: env.clock.now().Add(time.Hour)})
	ctx := context.Background()

	env.svc.DeliverDue(ctx)
	row := env.row(t, m.ID)
	if row.Status != nexusmail.StatusQueued || row.Attempts != 1 || !strings.Contains(row.LastError, "451") ||
		!row.NextAttemptAt.Equal(env.clock.now().Add(time.Minute).Truncate(time.Microsecond)) {
		t.Fatalf("after a temporary failure: %+v", row)
	}
	// Not due yet.
	if n, _ := env.svc.DeliverDue(ctx); n != 0 {
		t.Fatalf("retried before the backoff: %d", n)
	}
	env.clock.advance(time.Minute)
	env.svc.DeliverDue(ctx)
	row = env.row(t, m.ID)
	if row.Attempts != 2 || !row.NextAttemptAt.Equal(env.clock.now().Add(2*time.Minute).Truncate(time.Microsecond)) {
		t.Fatalf("second failure doubles the wait: %+v", row)
	}
	env.clock.advance(2 * time.Minute)
	env.svc.DeliverDue(ctx)
	row = env.row(t, m.ID)
	if row.Status != nexusmail.StatusSent || row.Attempts != 3 || len(f.messages()) != 1 {
		t.Fatalf("after the retry: %+v (received %d)", row, len(f.messages()))
	}
}

func TestSMTPPermanentRefusalAndGivingUp(t *testing.T) {
	f := newFakeSMTP(t, func(f *fakeSMTP) {
		f.rcptReply = func(int) string { return "550 5.1.1 no such user here" }
	})
	env := newMailEnv(t, nexusmail.Config{SMTP: smtpConfig(f, "none")})
	m := env.enqueue(t, nexusmail.KindPasswordChanged, "gone@example.com", "en", nexusmail.PasswordChangedData{Name: "X", Email: "gone@example.com", At: env.clock.now()})
	env.svc.DeliverDue(context.Background())
	if row := env.row(t, m.ID); row.Status != nexusmail.StatusFailed || row.Attempts != 1 || !strings.Contains(row.LastError, "550") {
		t.Fatalf("a 5xx refusal is final: %+v", row)
	}

	// Temporary failures give up after MaxAttempts.
	down := newFakeSMTP(t, func(f *fakeSMTP) { f.rcptReply = func(int) string { return "421 4.7.0 try again later" } })
	env = newMailEnv(t, nexusmail.Config{SMTP: smtpConfig(down, "none"), MaxAttempts: 3, RetryBase: time.Second})
	m = env.enqueue(t, nexusmail.KindPasswordChanged, "kim@example.com", "en", nexusmail.PasswordChangedData{Name: "X", Email: "kim@example.com", At: env.clock.now()})
	for i := 0; i < 5; i++ {
		env.svc.DeliverDue(context.Background())
		env.clock.advance(time.Minute)
	}
	if row := env.row(t, m.ID); row.Status != nexusmail.StatusFailed || row.Attempts != 3 {
		t.Fatalf("after MaxAttempts: %+v", row)
	}

	// A server that is not there at all is a temporary failure.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	env = newMailEnv(t, nexusmail.Config{SMTP: nexusmail.SMTPConfig{Host: "127.0.0.1", Port: port, Security: "none", From: "nexus@example.com"}})
	m = env.enqueue(t, nexusmail.KindPasswordChanged, "kim@example.com", "en", nexusmail.PasswordChangedData{Name: "X", Email: "kim@example.com", At: env.clock.now()})
	env.svc.DeliverDue(context.Background())
	if row := env.row(t, m.ID); row.Status != nexusmail.StatusQueued || !strings.Contains(row.LastError, "connect") {
		t.Fatalf("server down: %+v", row)
	}
}

func TestRunDeliversWhenNotified(t *testing.T) {
	f := newFakeSMTP(t, nil)
	env := newMailEnv(t, nexusmail.Config{SMTP: smtpConfig(f, "none"), PollInterval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { env.svc.Run(ctx); close(done) }()
	env.enqueue(t, nexusmail.KindPasswordChanged, "kim@example.com", "en", nexusmail.PasswordChangedData{Name: "X", Email: "kim@example.com", At: env.clock.now()})
	env.svc.Notify()
	deadline := time.Now().Add(5 * time.Second)
	for len(f.messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if len(f.messages()) != 1 {
		t.Fatal("Run did not deliver after Notify")
	}
}

func TestWithoutSMTPMessagesAreStored(t *testing.T) {
	env := newMailEnv(t, nexusmail.Config{})
	m := env.enqueue(t, nexusmail.KindPasswordChanged, "kim@example.com", "en", nexusmail.PasswordChangedData{Name: "X", Email: "kim@example.com", At: env.clock.now()})
	if env.svc.Delivers() || m.Status != nexusmail.StatusStored {
		t.Fatalf("status = %s", m.Status)
	}
	if n, err := env.svc.DeliverDue(context.Background()); n != 0 || err != nil {
		t.Fatalf("DeliverDue without SMTP = %d, %v", n, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	env.svc.Run(ctx) // returns at once without SMTP
	if ctx.Err() != nil {
		t.Fatal("Run waited although there is nothing to deliver")
	}
	if row := env.row(t, m.ID); row.Status != nexusmail.StatusStored || row.Attempts != 0 {
		t.Fatalf("row = %+v", row)
	}
	// The outbox lists it for administrators.
	owner := &app.Principal{User: app.User{ID: app.NewID(), Role: app.RoleOwner, Status: app.UserActive}}
	items, next, err := env.svc.Messages(context.Background(), owner, "", 10)
	if err != nil || len(items) != 1 || next != "" || items[0].ID != m.ID {
		t.Fatalf("Messages = %v %q %v", items, next, err)
	}
	guest := &app.Principal{User: app.User{ID: app.NewID(), Role: app.RoleGuest, Status: app.UserActive}}
	if _, _, err := env.svc.Messages(context.Background(), guest, "", 10); app.CodeOf(err) != app.CodeForbidden {
		t.Fatalf("guest reads the outbox: %v", err)
	}
}
