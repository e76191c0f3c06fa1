package api

import "github.com/gofiber/fiber/v2"

// accountRoutes: users, invitations, registration, profile, passwords, mail outbox.
func (s *Server) accountRoutes(r fiber.Router) {}
