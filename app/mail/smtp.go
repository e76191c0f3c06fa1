package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// SMTPConfig is the outgoing mail server. With no Host, nothing is sent and
// messages are only stored.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string // AUTH PLAIN when set
	Password string
	// Security is "starttls" (upgrade a plain connection; refused if the
	// server does not offer it), "tls" (implicit TLS, usually port 465) or
	// "none".
	Security string
	// From is the sender, e.g. "Nexus <nexus@example.com>".
	From string
	// HelloName is the name sent with EHLO; "localhost" when empty.
	HelloName string
	// Timeout bounds one whole delivery conversation; 30s when zero.
	Timeout time.Duration
	// TLS overrides the TLS settings (tests trust their own CA here); nil
	// verifies the server's certificate against the system roots for Host.
	TLS *tls.Config
}

// Enabled reports whether an SMTP server is configured.
func (c SMTPConfig) Enabled() bool { return c.Host != "" }

type smtpSender struct{ cfg SMTPConfig }

// permanentError is a refusal that retrying will not change (an SMTP 5xx
// reply, a sender address that does not parse).
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func isPermanent(err error) bool {
	var pe *permanentError
	if errors.As(err, &pe) {
		return true
	}
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500
}

// send delivers m in one SMTP conversation.
func (s *smtpSender) send(ctx context.Context, m *Message) error {
	c := s.cfg
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return &permanentError{fmt.Errorf("mail.from %q is not an address: %w", c.From, err)}
	}
	raw, err := buildMessage(from, m, time.Now())
	if err != nil {
		return &permanentError{err}
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tlsCfg := c.TLS
	if tlsCfg == nil {
		tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12}
	} else {
		tlsCfg = tlsCfg.Clone()
	}
	if tlsCfg.ServerName == "" {
		tlsCfg.ServerName = c.Host
	}

	addr := net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	dialer := &net.Dialer{}
	var conn net.Conn
	if c.Security == "tls" {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: tlsCfg}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("connect to %s: %w", addr, err)
	}
	// net/smtp has no context support: the deadline bounds every read and
	// write of the conversation instead.
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return err
	}
	client, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp greeting from %s: %w", addr, err)
	}
	defer client.Close()
	helo := c.HelloName
	if helo == "" {
		helo = "localhost"
	}
	if err := client.Hello(helo); err != nil {
		return fmt.Errorf("smtp EHLO: %w", err)
	}
	if c.Security == "starttls" {
		if ok, _ := client.Extension("STARTTLS"); !ok {
			// Never fall back to plain text: the password and the links in
			// the messages would cross the network readable.
			return fmt.Errorf("smtp server %s does not offer STARTTLS (set mail.smtp_security to tls or none)", addr)
		}
		if err := client.StartTLS(tlsCfg); err != nil {
			return fmt.Errorf("smtp STARTTLS: %w", err)
		}
	}
	if c.Username != "" {
		// PlainAuth itself refuses to send the password over an
		// unencrypted connection to anything but localhost.
		if err := client.Auth(smtp.PlainAuth("", c.Username, c.Password, c.Host)); err != nil {
			return fmt.Errorf("smtp AUTH: %w", err)
		}
	}
	if err := client.Mail(from.Address); err != nil {
		return fmt.Errorf("smtp MAIL FROM: %w", err)
	}
	if err := client.Rcpt(m.To); err != nil {
		return fmt.Errorf("smtp RCPT TO: %w", err)
	}
	w, err := client.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp end of DATA: %w", err)
	}
	// The message is accepted once DATA is; a failed QUIT changes nothing.
	_ = client.Quit()
	return nil
}

// buildMessage writes m as a MIME multipart/alternative message (plain text
// and HTML, UTF-8, quoted-printable) with CRLF line endings.
func buildMessage(from *mail.Address, m *Message, now time.Time) ([]byte, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, part := range []struct{ ctype, content string }{
		{"text/plain; charset=utf-8", m.Text},
		{"text/html; charset=utf-8", m.HTML},
	} {
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(pw)
		if _, err := qp.Write([]byte(strings.ReplaceAll(part.content, "\n", "\r\n"))); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}

	domain := "localhost"
	if at := strings.LastIndexByte(from.Address, '@'); at >= 0 {
		domain = from.Address[at+1:]
	}
	var msg bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&msg, "%s: %s\r\n", k, v) }
	header("From", from.String())
	header("To", (&mail.Address{Address: m.To}).String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", now.UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+m.ID+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "multipart/alternative; boundary="+mw.Boundary())
	header("Content-Language", m.Language)
	// Ask mail servers not to auto-reply to an automated message.
	header("Auto-Submitted", "auto-generated")
	msg.WriteString("\r\n")
	msg.Write(body.Bytes())
	return msg.Bytes(), nil
}
