package api

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"nexus/app"
	"nexus/app/auth"
	"nexus/app/sso"
)

// ssoCookie carries the state of a started SSO sign-in (state, nonce, PKCE
// verifier) from start to callback. SameSite=Lax, because the provider
// sends the browser back with a cross-site navigation.
const (
	ssoCookie     = "nexus_sso"
	ssoCookiePath = "/api/v1/auth/sso"
)

// mfaRoutes: MFA enrolment, the MFA sign-in step, SSO.
func (s *Server) mfaRoutes(r fiber.Router) {
	r.Get("/auth/options", s.authOptions)
	r.Post("/auth/mfa", s.loginMFA)
	r.Get("/auth/sso/:provider/start", s.ssoStart)
	r.Get("/auth/sso/:provider/callback", s.ssoCallback)

	r.Get("/me/mfa", s.requireAuth, s.getMFA)
	r.Delete("/me/mfa", s.requireAuth, s.disableMFA)
	r.Post("/me/mfa/totp", s.requireAuth, s.beginTOTP)
	r.Post("/me/mfa/totp/confirm", s.requireAuth, s.confirmTOTP)
	r.Post("/me/mfa/recovery-codes", s.requireAuth, s.regenerateRecoveryCodes)
	r.Delete("/users/:id/mfa", s.requireAuth, s.resetMFA)
}

var errMFAEnrollmentRequired = &app.Error{Code: app.CodeForbidden,
	Message: "Your administrator requires two-factor authentication. Set it up to continue.",
	Details: map[string]any{"reason": "mfa_enrollment_required"}}

// checkMFAEnrollment restricts a session that must enrol in MFA first: while
// an administrator requires MFA and the user has none, the session may only
// read its own account, enrol, and sign out. Personal access tokens of such
// a user are refused outright until they enrol.
func (s *Server) checkMFAEnrollment(c *fiber.Ctx, p *app.Principal) error {
	if s.deps.MFA == nil || p.User.MFAEnabled {
		return nil
	}
	required, err := s.deps.MFA.EnrollmentRequired(c.UserContext(), &p.User)
	if err != nil || !required {
		return err
	}
	p.MFAEnrollmentRequired = true
	if p.TokenID == "" && enrollmentPath(c.Method(), c.Path()) {
		return nil
	}
	return errMFAEnrollmentRequired
}

// enrollmentPath lists what a session that must enrol may still do.
func enrollmentPath(method, path string) bool {
	switch {
	case path == "/api/v1/me":
		return method == fiber.MethodGet || method == fiber.MethodHead
	case path == "/api/v1/me/mfa", strings.HasPrefix(path, "/api/v1/me/mfa/"), path == "/api/v1/auth/logout":
		return true
	}
	return false
}

type authOptionsJSON struct {
	PasswordLogin bool              `json:"password_login"`
	Registration  string            `json:"registration"`
	Providers     []ssoProviderJSON `json:"providers"`
}

type ssoProviderJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// authOptions tells the sign-in page what to offer.
func (s *Server) authOptions(c *fiber.Ctx) error {
	out := authOptionsJSON{PasswordLogin: true, Registration: "invite", Providers: []ssoProviderJSON{}}
	if s.deps.SSO != nil {
		o, err := s.deps.SSO.Options(c.UserContext())
		if err != nil {
			return err
		}
		out.PasswordLogin, out.Registration = o.PasswordLogin, o.Registration
		for _, p := range o.Providers {
			out.Providers = append(out.Providers, ssoProviderJSON{ID: p.ID, Name: p.Name})
		}
	}
	return c.JSON(out)
}

type mfaLoginRequest struct {
	MFAToken     string `json:"mfa_token"`
	Code         string `json:"code"`
	RecoveryCode string `json:"recovery_code"`
}

// loginMFA is the second sign-in step.
func (s *Server) loginMFA(c *fiber.Ctx) error {
	var req mfaLoginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.deps.Auth.CompleteMFA(c.UserContext(), auth.MFAInput{Token: req.MFAToken, Code: req.Code,
		RecoveryCode: req.RecoveryCode, DeviceCookie: c.Cookies(deviceCookie)}, s.meta(c))
	if err != nil {
		return err
	}
	return s.signedIn(c, fiber.StatusOK, out)
}

type mfaStatusJSON struct {
	Enabled           bool `json:"enabled"`
	Pending           bool `json:"pending"`
	RecoveryCodesLeft int  `json:"recovery_codes_left"`
}

func (s *Server) getMFA(c *fiber.Ctx) error {
	st, err := s.deps.MFA.Status(c.UserContext(), principal(c).User.ID)
	if err != nil {
		return err
	}
	return c.JSON(mfaStatusJSON{Enabled: st.Enabled, Pending: st.Pending, RecoveryCodesLeft: st.RecoveryCodesLeft})
}

type totpEnrollmentJSON struct {
	Secret     string `json:"secret"`
	OTPAuthURI string `json:"otpauth_uri"`
	QRPNG      string `json:"qr_png"`
}

func (s *Server) beginTOTP(c *fiber.Ctx) error {
	e, err := s.deps.MFA.BeginTOTP(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	return c.JSON(totpEnrollmentJSON{Secret: e.Secret, OTPAuthURI: e.OTPAuthURI, QRPNG: e.QRPNG})
}

type recoveryCodesJSON struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

type totpConfirmRequest struct {
	Code string `json:"code"`
}

func (s *Server) confirmTOTP(c *fiber.Ctx) error {
	var req totpConfirmRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	codes, err := s.deps.MFA.ConfirmTOTP(c.UserContext(), principal(c), req.Code, s.meta(c))
	if err != nil {
		return err
	}
	return c.JSON(recoveryCodesJSON{RecoveryCodes: codes})
}

type reauthRequest struct {
	Password string `json:"password"`
	Code     string `json:"code"`
}

func (s *Server) regenerateRecoveryCodes(c *fiber.Ctx) error {
	var req reauthRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	codes, err := s.deps.MFA.RegenerateRecoveryCodes(c.UserContext(), principal(c), req.Password, s.meta(c))
	if err != nil {
		return err
	}
	return c.JSON(recoveryCodesJSON{RecoveryCodes: codes})
}

func (s *Server) disableMFA(c *fiber.Ctx) error {
	var req reauthRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.deps.MFA.Disable(c.UserContext(), principal(c), req.Password, req.Code, s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) resetMFA(c *fiber.Ctx) error {
	if err := s.deps.MFA.Reset(c.UserContext(), principal(c), c.Params("id"), s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// ssoStart sends the browser to the provider, with the flow's state in a
// sealed cookie.
func (s *Server) ssoStart(c *fiber.Ctx) error {
	if s.deps.SSO == nil {
		return &app.Error{Code: app.CodeNotFound, Message: "There is no such sign-in provider."}
	}
	redirect, state, err := s.deps.SSO.Start(c.UserContext(), c.Params("provider"), s.origin(c), c.Query("return_to"))
	var f *sso.Failure
	if errors.As(err, &f) {
		s.log.WarnContext(c.UserContext(), "sso start failed", "request_id", requestID(c), "provider", c.Params("provider"), "error", err)
		return c.Redirect(signInErrorURL(f.Code), fiber.StatusFound)
	}
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: ssoCookie, Value: state, Path: ssoCookiePath, MaxAge: int(sso.StateTTL.Seconds()),
		HTTPOnly: true, Secure: s.secure(c), SameSite: fiber.CookieSameSiteLaxMode})
	return c.Redirect(redirect, fiber.StatusFound)
}

// ssoCallback finishes an SSO sign-in and sends the browser into the app,
// or back to the sign-in page with an error code, or (when the account has
// MFA) to the sign-in page's second step with the MFA token in the URL
// fragment, which browsers never send to a server.
func (s *Server) ssoCallback(c *fiber.Ctx) error {
	if s.deps.SSO == nil {
		return &app.Error{Code: app.CodeNotFound, Message: "There is no such sign-in provider."}
	}
	in := sso.CallbackInput{Provider: c.Params("provider"), Code: c.Query("code"), State: c.Query("state"),
		Error: c.Query("error"), ErrorDescription: c.Query("error_description"), Cookie: c.Cookies(ssoCookie)}
	// The state is single-use.
	c.Cookie(&fiber.Cookie{Name: ssoCookie, Value: "", Path: ssoCookiePath, MaxAge: -1, Expires: time.Unix(0, 0),
		HTTPOnly: true, Secure: s.secure(c), SameSite: fiber.CookieSameSiteLaxMode})
	res, err := s.deps.SSO.Callback(c.UserContext(), in, s.meta(c))
	if err != nil {
		code := sso.FailProviderError
		var f *sso.Failure
		if errors.As(err, &f) {
			code = f.Code
		} else {
			s.log.ErrorContext(c.UserContext(), "sso callback failed", "request_id", requestID(c), "provider", in.Provider, "error", err)
		}
		return c.Redirect(signInErrorURL(code), fiber.StatusFound)
	}
	if res.SignIn.MFA != nil {
		q := url.Values{"mfa_token": {res.SignIn.MFA.Token}, "methods": {strings.Join(res.SignIn.MFA.Methods, ",")}}
		return c.Redirect("/signin#"+q.Encode(), fiber.StatusFound)
	}
	s.setSignInCookies(c, res.SignIn)
	return c.Redirect(sso.SafeReturnPath(res.ReturnTo), fiber.StatusFound)
}

func signInErrorURL(code string) string { return "/signin?sso_error=" + url.QueryEscape(code) }
