package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

func (s *Server) healthz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"status": "ok"})
}

type readyBody struct {
	Status        string `json:"status"`
	Store         string `json:"store"`
	Migrations    string `json:"migrations"`
	SchemaVersion int64  `json:"schema_version"`
}

// readyz answers 200 only while the store is open and fully migrated and the
// server is not shutting down, so a load balancer stops routing here first.
func (s *Server) readyz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if s.draining.Load() {
		return c.Status(fiber.StatusServiceUnavailable).JSON(readyBody{Status: "shutting_down", Store: "ok", Migrations: "ok"})
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	version, pending, err := s.deps.Readiness.Ready(ctx)
	switch {
	case err != nil:
		s.log.WarnContext(ctx, "not ready: store", "error", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(readyBody{Status: "not_ready", Store: "unavailable", Migrations: "unknown"})
	case pending:
		return c.Status(fiber.StatusServiceUnavailable).JSON(readyBody{Status: "not_ready", Store: "ok", Migrations: "pending", SchemaVersion: version})
	}
	return c.JSON(readyBody{Status: "ready", Store: "ok", Migrations: "ok", SchemaVersion: version})
}
