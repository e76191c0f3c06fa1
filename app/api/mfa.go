package api

import (
	"github.com/gofiber/fiber/v2"

	"nexus/app"
)

// mfaRoutes: MFA enrolment, the MFA sign-in step, SSO.
func (s *Server) mfaRoutes(r fiber.Router) {}

// checkMFAEnrollment restricts a session that must enrol in MFA first.
func (s *Server) checkMFAEnrollment(c *fiber.Ctx, p *app.Principal) error { return nil }
