package api

import (
	"bufio"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"nexus/app"
	"nexus/app/audit"
	"nexus/app/authz"
	"nexus/app/settings"
)

// accessRoutes: teams, audit log, security settings. Every route is for
// owners and admins; the services check that (authz.RequireGlobal).
func (s *Server) accessRoutes(r fiber.Router) {
	r.Get("/teams", s.requireAuth, s.listTeams)
	r.Post("/teams", s.requireAuth, s.createTeam)
	r.Get("/teams/:id", s.requireAuth, s.getTeam)
	r.Patch("/teams/:id", s.requireAuth, s.updateTeam)
	r.Delete("/teams/:id", s.requireAuth, s.deleteTeam)
	r.Get("/teams/:id/members", s.requireAuth, s.listTeamMembers)
	r.Post("/teams/:id/members", s.requireAuth, s.addTeamMember)
	r.Delete("/teams/:id/members/:user_id", s.requireAuth, s.removeTeamMember)

	// Read-only on purpose: no route edits or deletes audit entries.
	r.Get("/audit", s.requireAuth, s.listAudit)
	r.Get("/audit/actions", s.requireAuth, s.auditActions)
	r.Get("/audit/export.csv", s.requireAuth, s.exportAudit)

	r.Get("/settings/security", s.requireAuth, s.getSecuritySettings)
	r.Patch("/settings/security", s.requireAuth, s.updateSecuritySettings)
}

// --- teams ---

type teamJSON struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	MemberCount int       `json:"member_count"`
	Version     int64     `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func toTeamJSON(t *authz.Team) teamJSON {
	return teamJSON{ID: t.ID, Name: t.Name, Description: t.Description, MemberCount: t.MemberCount, Version: t.Version,
		CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC()}
}

// accessList is the list shape of the API ({"items":[…],"next_cursor":"…"}).
type accessList[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func (s *Server) listTeams(c *fiber.Ctx) error {
	teams, err := s.deps.Authz.Teams(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	out := accessList[teamJSON]{Items: make([]teamJSON, 0, len(teams))}
	for i := range teams {
		out.Items = append(out.Items, toTeamJSON(&teams[i]))
	}
	return c.JSON(out)
}

type createTeamRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (s *Server) createTeam(c *fiber.Ctx) error {
	var req createTeamRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.deps.Authz.CreateTeam(c.UserContext(), principal(c), authz.TeamInput(req), s.meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toTeamJSON(t))
}

func (s *Server) getTeam(c *fiber.Ctx) error {
	t, err := s.deps.Authz.Team(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toTeamJSON(t))
}

type updateTeamRequest struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Version     int64   `json:"version"`
}

func (s *Server) updateTeam(c *fiber.Ctx) error {
	var req updateTeamRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.deps.Authz.UpdateTeam(c.UserContext(), principal(c), c.Params("id"), authz.TeamUpdate(req), s.meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toTeamJSON(t))
}

func (s *Server) deleteTeam(c *fiber.Ctx) error {
	if err := s.deps.Authz.DeleteTeam(c.UserContext(), principal(c), c.Params("id"), s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) listTeamMembers(c *fiber.Ctx) error {
	users, err := s.deps.Authz.TeamMembers(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	out := accessList[userJSON]{Items: make([]userJSON, 0, len(users))}
	for _, u := range users {
		out.Items = append(out.Items, toUserJSON(u))
	}
	return c.JSON(out)
}

type addTeamMemberRequest struct {
	UserID string `json:"user_id"`
}

func (s *Server) addTeamMember(c *fiber.Ctx) error {
	var req addTeamMemberRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.UserID == "" {
		return app.Invalid("user_id", "user_id is required.")
	}
	if err := s.deps.Authz.AddTeamMember(c.UserContext(), principal(c), c.Params("id"), req.UserID, s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) removeTeamMember(c *fiber.Ctx) error {
	if err := s.deps.Authz.RemoveTeamMember(c.UserContext(), principal(c), c.Params("id"), c.Params("user_id"), s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// --- audit log ---

type auditActorJSON struct {
	ID    *string `json:"id"` // null for anonymous actors (e.g. a failed sign-in with an unknown email)
	Label string  `json:"label"`
}

type auditEntryJSON struct {
	ID         string         `json:"id"`
	At         time.Time      `json:"at"`
	Actor      auditActorJSON `json:"actor"`
	Action     string         `json:"action"`
	TargetType string         `json:"target_type"`
	TargetID   string         `json:"target_id"`
	IP         string         `json:"ip"`
	UserAgent  string         `json:"user_agent"`
	Result     string         `json:"result"`
	Details    map[string]any `json:"details"`
}

func toAuditEntryJSON(e app.AuditEntry) auditEntryJSON {
	j := auditEntryJSON{ID: e.ID, At: e.At.UTC(), Actor: auditActorJSON{Label: e.ActorLabel}, Action: e.Action,
		TargetType: e.TargetType, TargetID: e.TargetID, IP: e.IP, UserAgent: e.UserAgent, Result: string(e.Result),
		Details: e.Details}
	if e.ActorID != "" {
		id := e.ActorID
		j.Actor.ID = &id
	}
	if j.Details == nil {
		j.Details = map[string]any{}
	}
	return j
}

func auditFilter(c *fiber.Ctx) (audit.Filter, error) {
	return audit.ParseFilter(audit.FilterInput{Actor: c.Query("actor"), Action: c.Query("action"), Target: c.Query("target"),
		From: c.Query("from"), To: c.Query("to"), Result: c.Query("result"), Cursor: c.Query("cursor")})
}

// accessLimit reads ?limit=; absent is 0 (the use-case's default).
func accessLimit(c *fiber.Ctx) (int, error) {
	raw := c.Query("limit")
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, app.Invalid("limit", "limit must be a positive whole number.")
	}
	return n, nil
}

func (s *Server) listAudit(c *fiber.Ctx) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	limit, err := accessLimit(c)
	if err != nil {
		return err
	}
	page, err := s.deps.Audit.List(c.UserContext(), principal(c), f, limit)
	if err != nil {
		return err
	}
	out := accessList[auditEntryJSON]{Items: make([]auditEntryJSON, 0, len(page.Items)), NextCursor: page.NextCursor}
	for _, e := range page.Items {
		out.Items = append(out.Items, toAuditEntryJSON(e))
	}
	return c.JSON(out)
}

func (s *Server) auditActions(c *fiber.Ctx) error {
	actions, err := s.deps.Audit.Actions(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	return c.JSON(accessList[string]{Items: actions})
}

// exportAudit streams the CSV: rows go to the client as they are read, so
// a large export never sits in memory. Errors after the first byte can no
// longer change the status; they are logged and the file ends early.
func (s *Server) exportAudit(c *fiber.Ctx) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	export, err := s.deps.Audit.StartExport(ctx, principal(c), f, s.meta(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+export.FileName+`"`)
	if export.Truncated {
		c.Set("X-Export-Truncated", strconv.Itoa(export.Limit))
	}
	rid, log := requestID(c), s.log
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := export.WriteTo(ctx, w); err != nil {
			log.ErrorContext(ctx, "audit export failed", "request_id", rid, "error", err)
		}
	})
	return nil
}

// --- settings ---

func (s *Server) getSecuritySettings(c *fiber.Ctx) error {
	p := principal(c)
	if err := authz.RequireGlobal(p, authz.ManageSettings); err != nil {
		return err
	}
	sec, err := s.deps.Settings.Security(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(sec)
}

type securityPatchRequest struct {
	Registration        *string   `json:"registration"`
	RegistrationDomains *[]string `json:"registration_domains"`
	MFARequired         *bool     `json:"mfa_required"`
	PasswordLogin       *bool     `json:"password_login"`
	Version             int64     `json:"version"`
}

func (s *Server) updateSecuritySettings(c *fiber.Ctx) error {
	var req securityPatchRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sec, err := s.deps.Settings.UpdateSecurity(c.UserContext(), principal(c), settings.SecurityPatch{
		Registration: req.Registration, RegistrationDomains: req.RegistrationDomains,
		MFARequired: req.MFARequired, PasswordLogin: req.PasswordLogin,
	}, req.Version, s.meta(c))
	if err != nil {
		return err
	}
	return c.JSON(sec)
}
