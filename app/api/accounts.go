package api

import (
	"errors"
	"io"
	"mime"
	"time"

	"github.com/gofiber/fiber/v2"

	"nexus/app"
	"nexus/app/identity"
	"nexus/app/mail"
)

// accountRoutes: users, invitations, registration, profile, passwords, mail outbox.
func (s *Server) accountRoutes(r fiber.Router) {
	// Public: registration, password reset, invitation pages.
	r.Post("/auth/register", s.register)
	r.Post("/auth/password/forgot", s.forgotPassword)
	r.Post("/auth/password/reset", s.resetPassword)
	r.Get("/invitations/:id", s.getInvitationByToken) // :id is the token here; see openapi.yaml
	r.Post("/invitations/:token/accept", s.acceptInvitation)

	// The signed-in user's own account.
	r.Patch("/me", s.requireAuth, s.updateProfile)
	r.Put("/me/avatar", s.requireAuth, s.putAvatar)
	r.Delete("/me/avatar", s.requireAuth, s.deleteAvatar)
	r.Post("/me/password", s.requireAuth, s.changePassword)
	r.Post("/me/email", s.requireAuth, s.changeEmail)
	r.Get("/users/:id/avatar", s.requireAuth, s.getAvatar)

	// Administration.
	r.Get("/users", s.requireAuth, s.listUsers)
	r.Post("/users", s.requireAuth, s.createUser)
	r.Get("/users/:id", s.requireAuth, s.getUser)
	r.Patch("/users/:id", s.requireAuth, s.updateUser)
	r.Delete("/users/:id", s.requireAuth, s.deleteUser)
	r.Get("/invitations", s.requireAuth, s.listInvitations)
	r.Post("/invitations", s.requireAuth, s.createInvitation)
	r.Post("/invitations/:id/resend", s.requireAuth, s.resendInvitation)
	r.Delete("/invitations/:id", s.requireAuth, s.revokeInvitation)
	r.Get("/mail", s.requireAuth, s.listMail)
	r.Get("/mail/:id", s.requireAuth, s.getMail)
}

type listJSON[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func (s *Server) meResponse(c *fiber.Ctx, u *app.User) error {
	return c.JSON(meJSON{userJSON: toUserJSON(*u), MFAEnrollmentRequired: principal(c).MFAEnrollmentRequired})
}

// --- public ---

type registerRequest struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

func (s *Server) register(c *fiber.Ctx) error {
	var req registerRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.deps.Identity.Register(c.UserContext(), identity.RegisterInput(req), s.meta(c))
	if err != nil {
		return err
	}
	return s.signedIn(c, fiber.StatusCreated, out)
}

type forgotRequest struct {
	Email string `json:"email"`
}

func (s *Server) forgotPassword(c *fiber.Ctx) error {
	var req forgotRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.deps.Identity.ForgotPassword(c.UserContext(), req.Email, s.origin(c), s.meta(c)); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{})
}

type resetRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

func (s *Server) resetPassword(c *fiber.Ctx) error {
	var req resetRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.deps.Identity.ResetPassword(c.UserContext(), req.Token, req.Password, s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type publicInvitationJSON struct {
	Email       string    `json:"email"`
	Role        app.Role  `json:"role"`
	InviterName string    `json:"inviter_name"`
	ExpiresAt   time.Time `json:"expires_at"`
}

func (s *Server) getInvitationByToken(c *fiber.Ctx) error {
	inv, err := s.deps.Identity.InvitationByToken(c.UserContext(), c.Params("id"), s.meta(c))
	if err != nil {
		return err
	}
	return c.JSON(publicInvitationJSON{Email: inv.Email, Role: inv.Role, InviterName: inv.InviterName, ExpiresAt: inv.ExpiresAt.UTC()})
}

type acceptRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

func (s *Server) acceptInvitation(c *fiber.Ctx) error {
	var req acceptRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.deps.Identity.AcceptInvitation(c.UserContext(), c.Params("token"), identity.AcceptInput(req), s.meta(c))
	if err != nil {
		return err
	}
	return s.signedIn(c, fiber.StatusCreated, out)
}

// --- own account ---

type profileRequest struct {
	Name     *string `json:"name"`
	Language *string `json:"language"`
	Timezone *string `json:"timezone"`
	Version  int64   `json:"version"`
}

func (s *Server) updateProfile(c *fiber.Ctx) error {
	var req profileRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.deps.Identity.UpdateProfile(c.UserContext(), principal(c), identity.ProfileUpdate(req), s.meta(c))
	if err != nil {
		return err
	}
	return s.meResponse(c, u)
}

func (s *Server) putAvatar(c *fiber.Ctx) error {
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEMultipartForm {
		return &app.Error{Code: codeUnsupportedMedia, Message: "Upload the image as multipart/form-data in a field named file."}
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return app.Invalid("file", "Upload the image in a field named file.")
	}
	if fh.Size > identity.MaxAvatarBytes {
		return errAvatarTooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, identity.MaxAvatarBytes+1))
	if err != nil {
		return err
	}
	if len(data) > identity.MaxAvatarBytes {
		return errAvatarTooLarge
	}
	u, err := s.deps.Identity.SetAvatar(c.UserContext(), principal(c), data, s.meta(c))
	var ae *app.Error
	if errors.As(err, &ae) && ae.Details["reason"] == "unsupported_type" {
		return &app.Error{Code: codeUnsupportedMedia, Message: ae.Message, Details: ae.Details}
	}
	if err != nil {
		return err
	}
	return s.meResponse(c, u)
}

var errAvatarTooLarge = &app.Error{Code: codeTooLarge, Message: "The image is larger than 5 MiB. Choose a smaller one.",
	Details: map[string]any{"field": "file", "limit_bytes": identity.MaxAvatarBytes}}

func (s *Server) deleteAvatar(c *fiber.Ctx) error {
	u, err := s.deps.Identity.DeleteAvatar(c.UserContext(), principal(c), s.meta(c))
	if err != nil {
		return err
	}
	return s.meResponse(c, u)
}

func (s *Server) getAvatar(c *fiber.Ctx) error {
	png, err := s.deps.Identity.Avatar(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	// The URL changes with the picture (?v=), so it may be cached for a
	// day, but only by the browser: it is behind sign-in.
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set(fiber.HeaderCacheControl, "private, max-age=86400")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	return c.Send(png)
}

type changePasswordRequest struct {
	CurrentPassword      string `json:"current_password"`
	NewPassword          string `json:"new_password"`
	SignOutOtherSessions bool   `json:"sign_out_other_sessions"`
}

func (s *Server) changePassword(c *fiber.Ctx) error {
	var req changePasswordRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.deps.Identity.ChangePassword(c.UserContext(), principal(c), identity.ChangePasswordInput(req), s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type changeEmailRequest struct {
	Password string `json:"password"`
	Email    string `json:"email"`
}

func (s *Server) changeEmail(c *fiber.Ctx) error {
	var req changeEmailRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.deps.Identity.ChangeEmail(c.UserContext(), principal(c), identity.ChangeEmailInput(req), s.meta(c))
	if err != nil {
		return err
	}
	return s.meResponse(c, u)
}

// --- administration ---

func (s *Server) listUsers(c *fiber.Ctx) error {
	users, next, err := s.deps.Identity.Users(c.UserContext(), principal(c), identity.UserQuery{Query: c.Query("query"),
		Role: c.Query("role"), Status: c.Query("status"), Cursor: c.Query("cursor"), Limit: c.QueryInt("limit", 0)})
	if err != nil {
		return err
	}
	items := make([]userJSON, len(users))
	for i, u := range users {
		items[i] = toUserJSON(u)
	}
	return c.JSON(listJSON[userJSON]{Items: items, NextCursor: next})
}

type createUserRequest struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Password string `json:"password"`
}

func (s *Server) createUser(c *fiber.Ctx) error {
	var req createUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.deps.Identity.CreateUser(c.UserContext(), principal(c), identity.CreateUserInput(req), s.meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toUserJSON(*u))
}

func (s *Server) getUser(c *fiber.Ctx) error {
	u, err := s.deps.Identity.User(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toUserJSON(*u))
}

type updateUserRequest struct {
	Role    *string `json:"role"`
	Status  *string `json:"status"`
	Version int64   `json:"version"`
}

func (s *Server) updateUser(c *fiber.Ctx) error {
	var req updateUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.deps.Identity.UpdateUser(c.UserContext(), principal(c), c.Params("id"), identity.UserUpdate(req), s.meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toUserJSON(*u))
}

func (s *Server) deleteUser(c *fiber.Ctx) error {
	if err := s.deps.Identity.DeleteUser(c.UserContext(), principal(c), c.Params("id"), s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type personRefJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type invitationJSON struct {
	ID         string        `json:"id"`
	Email      string        `json:"email"`
	Role       app.Role      `json:"role"`
	InvitedBy  personRefJSON `json:"invited_by"`
	CreatedAt  time.Time     `json:"created_at"`
	ExpiresAt  time.Time     `json:"expires_at"`
	AcceptedAt *time.Time    `json:"accepted_at,omitempty"`
	RevokedAt  *time.Time    `json:"revoked_at,omitempty"`
	Status     string        `json:"status"`
}

func toInvitationJSON(inv *identity.Invitation, now time.Time) invitationJSON {
	return invitationJSON{ID: inv.ID, Email: inv.Email, Role: inv.Role,
		InvitedBy: personRefJSON{ID: inv.InvitedBy, Name: inv.InviterName}, CreatedAt: inv.CreatedAt.UTC(),
		ExpiresAt: inv.ExpiresAt.UTC(), AcceptedAt: optionalTime(inv.AcceptedAt), RevokedAt: optionalTime(inv.RevokedAt),
		Status: string(inv.Status(now))}
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func (s *Server) listInvitations(c *fiber.Ctx) error {
	items, next, err := s.deps.Identity.Invitations(c.UserContext(), principal(c), c.Query("status"), c.Query("cursor"),
		c.QueryInt("limit", 0))
	if err != nil {
		return err
	}
	now := s.deps.Auth.Now()
	out := make([]invitationJSON, len(items))
	for i := range items {
		out[i] = toInvitationJSON(&items[i], now)
	}
	return c.JSON(listJSON[invitationJSON]{Items: out, NextCursor: next})
}

type inviteRequest struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

func (s *Server) createInvitation(c *fiber.Ctx) error {
	var req inviteRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	inv, err := s.deps.Identity.Invite(c.UserContext(), principal(c), identity.InviteInput(req), s.origin(c), s.meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toInvitationJSON(inv, s.deps.Auth.Now()))
}

func (s *Server) resendInvitation(c *fiber.Ctx) error {
	inv, err := s.deps.Identity.ResendInvitation(c.UserContext(), principal(c), c.Params("id"), s.origin(c), s.meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toInvitationJSON(inv, s.deps.Auth.Now()))
}

func (s *Server) revokeInvitation(c *fiber.Ctx) error {
	if err := s.deps.Identity.RevokeInvitation(c.UserContext(), principal(c), c.Params("id"), s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type mailJSON struct {
	ID         string     `json:"id"`
	To         string     `json:"to"`
	Subject    string     `json:"subject"`
	Kind       mail.Kind  `json:"kind"`
	Language   string     `json:"language"`
	Status     string     `json:"status"`
	Attempts   int        `json:"attempts"`
	CreatedAt  time.Time  `json:"created_at"`
	SentAt     *time.Time `json:"sent_at,omitempty"`
	Error      string     `json:"error,omitempty"`
	Restricted bool       `json:"restricted,omitempty"`
}

type mailDetailJSON struct {
	mailJSON
	Text string `json:"text"`
	HTML string `json:"html"`
	// Redacted: the body is withheld from this reader (a restricted
	// message read by an administrator who is not an owner).
	Redacted bool `json:"redacted,omitempty"`
}

func toMailJSON(m *mail.Message) mailJSON {
	return mailJSON{ID: m.ID, To: m.To, Subject: m.Subject, Kind: m.Kind, Language: m.Language, Status: string(m.Status),
		Attempts: m.Attempts, CreatedAt: m.CreatedAt.UTC(), SentAt: optionalTime(m.SentAt), Error: m.LastError,
		Restricted: m.Restricted}
}

func (s *Server) listMail(c *fiber.Ctx) error {
	msgs, next, err := s.deps.Mail.Messages(c.UserContext(), principal(c), c.Query("cursor"), c.QueryInt("limit", 0))
	if err != nil {
		return err
	}
	items := make([]mailJSON, len(msgs))
	for i := range msgs {
		items[i] = toMailJSON(&msgs[i])
	}
	return c.JSON(listJSON[mailJSON]{Items: items, NextCursor: next})
}

func (s *Server) getMail(c *fiber.Ctx) error {
	m, err := s.deps.Mail.Message(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(mailDetailJSON{mailJSON: toMailJSON(m), Text: m.Text, HTML: m.HTML, Redacted: m.Redacted()})
}
