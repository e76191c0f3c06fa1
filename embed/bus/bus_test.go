package bus_test

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"nexus/embed/bus"
)

func mustOpen(t *testing.T, cfg bus.Config) *bus.Bus {
	t.Helper()
	b, err := bus.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestInProcessDeliversInOrder(t *testing.T) {
	b := mustOpen(t, bus.Config{})
	if addr := b.Addr(); addr != "" {
		t.Fatalf("no listen address configured, but the bus listens on %s", addr)
	}
	const n = 5000
	var mu sync.Mutex
	var got []string
	done := make(chan struct{})
	stop, err := b.Subscribe("events.>", func(data []byte) {
		mu.Lock()
		got = append(got, string(data))
		if len(got) == n {
			close(done)
		}
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for i := range n {
		subject := "events.message"
		if i%3 == 0 {
			subject = "events.channel"
		}
		if err := b.Publish(subject, fmt.Appendf(nil, "%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("received %d of %d messages", len(got), n)
	}
	for i, s := range got {
		if s != fmt.Sprint(i) {
			t.Fatalf("message %d is %q: order not kept", i, s)
		}
	}
}

func TestUnsubscribeStopsDelivery(t *testing.T) {
	b := mustOpen(t, bus.Config{})
	var mu sync.Mutex
	count := 0
	stop, err := b.Subscribe("ephemeral.>", func([]byte) { mu.Lock(); count++; mu.Unlock() })
	if err != nil {
		t.Fatal(err)
	}
	b.Publish("ephemeral.channel", []byte("1"))
	b.Flush(time.Second)
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return count == 1 })
	stop()
	b.Publish("ephemeral.channel", []byte("2"))
	b.Flush(time.Second)
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if count != 1 {
		t.Fatalf("got %d messages after unsubscribing, want 1", count)
	}
}

func TestListenerIsReadOnlyForExternalClients(t *testing.T) {
	addr := freeAddr(t)
	b := mustOpen(t, bus.Config{Listen: addr, ExternalPassword: "s3cret-for-tests"})
	if b.Addr() == "" {
		t.Fatal("bus does not report its listen address")
	}

	if _, err := nats.Connect("nats://"+addr, nats.UserInfo(bus.ExternalUser, "wrong")); err == nil {
		t.Fatal("a wrong password was accepted")
	}
	if _, err := nats.Connect("nats://" + addr); err == nil {
		t.Fatal("an anonymous client was accepted")
	}

	errs := make(chan error, 4)
	nc, err := nats.Connect("nats://"+addr, nats.UserInfo(bus.ExternalUser, "s3cret-for-tests"),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err }))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	got := make(chan string, 4)
	if _, err := nc.Subscribe("events.>", func(m *nats.Msg) { got <- string(m.Data) }); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	b.Publish("events.message", []byte("hello"))
	select {
	case s := <-got:
		if s != "hello" {
			t.Fatalf("got %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("external subscriber got nothing")
	}

	// Publishing (forging an event) is refused.
	var internal []string
	var mu sync.Mutex
	b.Subscribe("events.>", func(d []byte) { mu.Lock(); internal = append(internal, string(d)); mu.Unlock() })
	nc.Publish("events.message", []byte("forged"))
	nc.Flush()
	select {
	case err := <-errs:
		if !strings.Contains(strings.ToLower(err.Error()), "permissions violation") {
			t.Fatalf("unexpected error: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no permissions violation reported for a publish")
	}
	// Subscribing to anything else is refused too.
	nc.Subscribe("ephemeral.>", func(*nats.Msg) {})
	nc.Flush()
	select {
	case err := <-errs:
		if !strings.Contains(strings.ToLower(err.Error()), "permissions violation") {
			t.Fatalf("unexpected error: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no permissions violation reported for a subscription")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, s := range internal {
		if s == "forged" {
			t.Fatal("a forged event reached an internal subscriber")
		}
	}
}

func TestListenerWithoutExternalPasswordAcceptsNobody(t *testing.T) {
	addr := freeAddr(t)
	mustOpen(t, bus.Config{Listen: addr})
	if _, err := nats.Connect("nats://"+addr, nats.UserInfo(bus.ExternalUser, "")); err == nil {
		t.Fatal("connected without credentials")
	}
}

func TestOpenFailsOnBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	b, err := bus.Open(bus.Config{Listen: ln.Addr().String()})
	if err == nil {
		b.Close()
		t.Fatal("opened a bus on a port in use")
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	b, err := bus.Open(bus.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
