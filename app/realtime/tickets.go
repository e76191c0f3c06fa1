package realtime

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sync"
	"time"

	"nexus/app"
)

// Tickets let a browser open a socket without putting its access token in
// a URL (where proxies and logs might keep it): POST /api/v1/ws/ticket, with
// the token in the Authorization header, returns a ticket; the socket is
// opened with ?ticket=…. A ticket is random, kept only in memory, bound to
// the principal (user and session or token) that asked for it, usable once,
// and only for TicketTTL.

// maxTicketsPerUser bounds the unused tickets one user can hold, so a
// script cannot fill the server's memory with them.
const maxTicketsPerUser = 32

type ticket struct {
	p       *app.Principal
	expires time.Time
}

type tickets struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	byValue map[string]ticket
	perUser map[string]int
}

func newTickets(ttl time.Duration, now func() time.Time) *tickets {
	return &tickets{ttl: ttl, now: now, byValue: map[string]ticket{}, perUser: map[string]int{}}
}

var (
	errTicketInvalid = &app.Error{Code: app.CodeUnauthorized, Message: "This connection ticket is not valid (each ticket works once).",
		Details: map[string]any{"reason": "ticket_invalid"}}
	errTicketExpired = &app.Error{Code: app.CodeUnauthorized, Message: "This connection ticket has expired: ask for a new one.",
		Details: map[string]any{"reason": "ticket_expired"}}
	errTooManyTickets = &app.Error{Code: app.CodeRateLimited, Message: "Too many unused connection tickets: use one or wait for them to expire.",
		Details: map[string]any{"reason": "too_many_tickets"}}
)

// IssueTicket returns a single-use ticket for p and how long it is valid.
func (g *Gateway) IssueTicket(p *app.Principal) (string, time.Duration, error) {
	return g.tickets.issue(p)
}

// RedeemTicket consumes a ticket and returns its principal, re-read so that
// a session ended since the ticket was issued cannot open a socket.
func (g *Gateway) RedeemTicket(ctx context.Context, value string) (*app.Principal, error) {
	p, err := g.tickets.redeem(value)
	if err != nil {
		return nil, err
	}
	if g.principals == nil {
		return p, nil
	}
	return g.principals.Recheck(ctx, p)
}

func (t *tickets) issue(p *app.Principal) (string, time.Duration, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", 0, fmt.Errorf("make connection ticket: %w", err)
	}
	value := base64.RawURLEncoding.EncodeToString(buf)
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.perUser[p.User.ID] >= maxTicketsPerUser {
		t.sweepLocked(now)
		if t.perUser[p.User.ID] >= maxTicketsPerUser {
			return "", 0, errTooManyTickets
		}
	}
	if len(t.byValue)%256 == 255 {
		t.sweepLocked(now)
	}
	t.byValue[value] = ticket{p: p, expires: now.Add(t.ttl)}
	t.perUser[p.User.ID]++
	return value, t.ttl, nil
}

func (t *tickets) redeem(value string) (*app.Principal, error) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	tk, ok := t.byValue[value]
	if !ok {
		return nil, errTicketInvalid
	}
	t.removeLocked(value, tk)
	if !now.Before(tk.expires) {
		return nil, errTicketExpired
	}
	return tk.p, nil
}

func (t *tickets) removeLocked(value string, tk ticket) {
	delete(t.byValue, value)
	if t.perUser[tk.p.User.ID]--; t.perUser[tk.p.User.ID] <= 0 {
		delete(t.perUser, tk.p.User.ID)
	}
}

func (t *tickets) sweepLocked(now time.Time) {
	for v, tk := range t.byValue {
		if !now.Before(tk.expires) {
			t.removeLocked(v, tk)
		}
	}
}

// size is the number of stored tickets (tests).
func (t *tickets) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.byValue)
}
