package api

import "github.com/gofiber/fiber/v2"

// fileRoutes: files.go: attachments
func (s *Server) fileRoutes(r fiber.Router) {}
