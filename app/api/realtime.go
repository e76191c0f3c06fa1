package api

import "github.com/gofiber/fiber/v2"

// realtimeRoutes: realtime.go: WebSocket tickets and the gateway
func (s *Server) realtimeRoutes(r fiber.Router) {}
