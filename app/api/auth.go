package api

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"nexus/app"
	"nexus/app/auth"
)

const (
	refreshCookie = "nexus_refresh"
	deviceCookie  = "nexus_device"
	// Both cookies are only ever sent to the auth endpoints.
	authCookiePath = "/api/v1/auth"
	// Browsers cap cookie lifetimes at 400 days.
	deviceCookieAge = 400 * 24 * time.Hour
)

type userJSON struct {
	ID         string     `json:"id"`
	Email      string     `json:"email"`
	Name       string     `json:"name"`
	Role       app.Role   `json:"role"`
	Status     string     `json:"status"`
	Language   string     `json:"language"`
	Timezone   string     `json:"timezone"`
	AvatarURL  string     `json:"avatar_url,omitempty"`
	MFAEnabled bool       `json:"mfa_enabled"`
	Deleted    bool       `json:"deleted,omitempty"`
	Version    int64      `json:"version"`
	LastSeenAt *time.Time `json:"last_seen_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

func toUserJSON(u app.User) userJSON {
	j := userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Status: string(u.Status),
		Language: u.Language, Timezone: u.Timezone, MFAEnabled: u.MFAEnabled, Deleted: u.Deleted(), Version: u.Version,
		CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC()}
	if !u.AvatarUpdatedAt.IsZero() {
		// The timestamp makes the URL change with the picture, so it can be
		// cached for long.
		j.AvatarURL = fmt.Sprintf("/api/v1/users/%s/avatar?v=%d", u.ID, u.AvatarUpdatedAt.Unix())
	}
	if !u.LastSeenAt.IsZero() {
		t := u.LastSeenAt.UTC()
		j.LastSeenAt = &t
	}
	return j
}

// meJSON is the signed-in user's own view of their account.
type meJSON struct {
	userJSON
	// MFAEnrollmentRequired: an administrator requires MFA and this user has
	// not enrolled; the UI must walk them through enrolment first.
	MFAEnrollmentRequired bool `json:"mfa_enrollment_required"`
}

type authResponse struct {
	AccessToken string   `json:"access_token"`
	TokenType   string   `json:"token_type"`
	ExpiresIn   int      `json:"expires_in"`
	User        userJSON `json:"user"`
}

// signedIn answers a successful sign-in: cookies plus the access token.
func (s *Server) signedIn(c *fiber.Ctx, status int, in *auth.SignIn) error {
	s.setSignInCookies(c, in)
	return c.Status(status).JSON(authResponse{AccessToken: in.AccessToken, TokenType: "Bearer",
		ExpiresIn: int(in.ExpiresIn.Seconds()), User: toUserJSON(in.User)})
}

// setSignInCookies sets the refresh cookie and, after a password sign-in,
// the device cookie. SSO uses it alone, before redirecting.
func (s *Server) setSignInCookies(c *fiber.Ctx, in *auth.SignIn) {
	secure := s.secure(c)
	c.Cookie(&fiber.Cookie{Name: refreshCookie, Value: in.RefreshToken, Path: authCookiePath,
		Expires: in.RefreshExpiresAt, HTTPOnly: true, Secure: secure, SameSite: fiber.CookieSameSiteStrictMode})
	if in.DeviceCookie != "" {
		c.Cookie(&fiber.Cookie{Name: deviceCookie, Value: in.DeviceCookie, Path: authCookiePath,
			MaxAge: int(deviceCookieAge.Seconds()), HTTPOnly: true, Secure: secure, SameSite: fiber.CookieSameSiteStrictMode})
	}
}

func (s *Server) clearRefreshCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: refreshCookie, Value: "", Path: authCookiePath, MaxAge: -1,
		Expires: time.Unix(0, 0), HTTPOnly: true, Secure: s.secure(c), SameSite: fiber.CookieSameSiteStrictMode})
}

func (s *Server) getSetup(c *fiber.Ctx) error {
	needed, err := s.deps.Auth.SetupNeeded(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"needed": needed})
}

type setupRequest struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

func (s *Server) postSetup(c *fiber.Ctx) error {
	var req setupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.deps.Auth.Setup(c.UserContext(), auth.SetupInput(req), s.meta(c))
	if err != nil {
		return err
	}
	return s.signedIn(c, fiber.StatusCreated, out)
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (s *Server) login(c *fiber.Ctx) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.deps.Auth.Login(c.UserContext(), auth.LoginInput{Email: req.Email, Password: req.Password,
		DeviceCookie: c.Cookies(deviceCookie)}, s.meta(c))
	if err != nil {
		return err
	}
	if out.MFA != nil {
		return c.JSON(fiber.Map{"mfa_required": true, "mfa_token": out.MFA.Token, "methods": out.MFA.Methods})
	}
	return s.signedIn(c, fiber.StatusOK, out)
}

func (s *Server) refresh(c *fiber.Ctx) error {
	out, err := s.deps.Auth.Refresh(c.UserContext(), c.Cookies(refreshCookie), s.meta(c))
	if err != nil {
		if app.CodeOf(err) == app.CodeUnauthorized {
			s.clearRefreshCookie(c)
		}
		return err
	}
	return s.signedIn(c, fiber.StatusOK, out)
}

func (s *Server) logout(c *fiber.Ctx) error {
	var sessionID string
	if token := bearerToken(c); token != "" {
		if p, err := s.deps.Auth.Authenticate(c.UserContext(), token); err == nil {
			sessionID = p.SessionID
		}
	}
	if err := s.deps.Auth.Logout(c.UserContext(), c.Cookies(refreshCookie), sessionID, s.meta(c)); err != nil {
		return err
	}
	s.clearRefreshCookie(c)
	return c.SendStatus(fiber.StatusNoContent)
}

func bearerToken(c *fiber.Ctx) string {
	h := c.Get(fiber.HeaderAuthorization)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// requireAuth resolves the bearer token to a principal or answers 401,
// then applies the checks every authenticated request goes through.
func (s *Server) requireAuth(c *fiber.Ctx) error {
	p, err := s.deps.Auth.Authenticate(c.UserContext(), bearerToken(c))
	if err != nil {
		return err
	}
	if err := s.checkScope(c, p); err != nil { // tokens.go
		return err
	}
	if err := s.checkMFAEnrollment(c, p); err != nil { // mfa.go
		return err
	}
	if err := s.limitUser(c, p); err != nil { // tokens.go
		return err
	}
	c.Locals(localPrincipal, p)
	return c.Next()
}

func principal(c *fiber.Ctx) *app.Principal {
	p, _ := c.Locals(localPrincipal).(*app.Principal)
	return p
}

func (s *Server) getMe(c *fiber.Ctx) error {
	p := principal(c)
	return c.JSON(meJSON{userJSON: toUserJSON(p.User), MFAEnrollmentRequired: p.MFAEnrollmentRequired})
}
