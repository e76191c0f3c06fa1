package api

import "github.com/gofiber/fiber/v2"

// chatRoutes: chat.go: channels, DMs, messages, notifications
func (s *Server) chatRoutes(r fiber.Router) {}
