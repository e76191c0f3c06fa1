package api

import "github.com/gofiber/fiber/v2"

// accessRoutes: teams, audit log, security settings.
func (s *Server) accessRoutes(r fiber.Router) {}
