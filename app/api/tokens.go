package api

import (
	"github.com/gofiber/fiber/v2"

	"nexus/app"
)

// tokenRoutes: sessions and personal access tokens.
func (s *Server) tokenRoutes(r fiber.Router) {}

// checkScope refuses writes with a read-only personal access token.
func (s *Server) checkScope(c *fiber.Ctx, p *app.Principal) error { return nil }

// limitUser applies the per-user API rate limit.
func (s *Server) limitUser(c *fiber.Ctx, p *app.Principal) error { return nil }
