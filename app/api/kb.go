package api

import "github.com/gofiber/fiber/v2"

// kbRoutes: kb.go: spaces, documents, versions, tags, categories, templates, trash, shares, import/export
func (s *Server) kbRoutes(root, r fiber.Router) {}
