package chat

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"nexus/app"
	"nexus/app/authz"
)

// ChannelInput creates a channel.
type ChannelInput struct {
	Name       string
	Visibility string // "public" or "private"
	Topic      string
	Purpose    string
}

// ChannelUpdate changes a channel; nil fields stay.
type ChannelUpdate struct {
	Name    *string
	Topic   *string
	Purpose *string
	Version int64
}

// ChannelView is a channel as one user sees it.
type ChannelView struct {
	Channel
	Membership     *Member // nil when not a member
	FirstUnreadSeq int64
	Participants   []UserRef // DMs
	// CanManage and CanPost tell the UI which controls to show.
	CanManage bool
	CanPost   bool
}

func cleanText(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", app.Invalid(field, "Use valid UTF-8 text.")
	}
	if required && s == "" {
		return "", app.Invalid(field, strings.ToUpper(field[:1])+field[1:]+" is required.")
	}
	if utf8.RuneCountInString(s) > max {
		return "", app.Invalid(field, strings.ToUpper(field[:1])+field[1:]+" is too long.").WithDetail("max", max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", app.Invalid(field, strings.ToUpper(field[:1])+field[1:]+" must not contain control characters.")
		}
	}
	return s, nil
}

func cleanName(name string) (string, error) {
	name = strings.TrimPrefix(strings.TrimSpace(name), "#")
	name, err := cleanText("name", name, MaxChannelName, true)
	if err != nil {
		return "", err
	}
	if strings.ContainsAny(name, "\n\t") {
		return "", app.Invalid("name", "A channel name is one line.")
	}
	return name, nil
}

func channelData(c *Channel) map[string]any {
	d := map[string]any{"id": c.ID, "channel_id": c.ID, "kind": c.Kind, "name": c.Name, "topic": c.Topic,
		"purpose": c.Purpose, "version": c.Version, "archived_at": nil}
	if c.Archived() {
		d["archived_at"] = c.ArchivedAt
	}
	return d
}

func channelEvent(typ string, c *Channel, data map[string]any) app.Event {
	if data == nil {
		data = channelData(c)
	}
	data["channel_id"] = c.ID
	return app.Event{Type: typ, ResourceType: EventResourceChannel, ResourceID: c.ID, Data: data}
}

// userEvent is an event only userID receives.
func userEvent(typ, userID string, data map[string]any) app.Event {
	if data == nil {
		data = map[string]any{}
	}
	data["user_id"] = userID
	return app.Event{Type: typ, ResourceType: EventResourceUser, ResourceID: userID, Data: data}
}

// grantFor is the authz role a channel role carries.
func grantFor(role string) authz.ResourceRole {
	if role == RoleAdmin {
		return authz.Manager
	}
	return authz.Editor
}

// putMember writes the membership row and its grant together.
func putMember(ctx context.Context, tx Tx, ch *Channel, userID, role string) (bool, error) {
	added, err := tx.PutChannelMember(ctx, &Member{ChannelID: ch.ID, UserID: userID, Role: role, JoinedAt: tx.Now(),
		LastReadSeq: ch.LastSeq})
	if err != nil {
		return false, err
	}
	err = tx.PutGrant(ctx, authz.Grant{ResourceType: authz.Channel, ResourceID: ch.ID,
		Grantee: authz.Grantee{Type: authz.GranteeUser, ID: userID}, Role: grantFor(role), GrantedAt: tx.Now()})
	return added, err
}

// CreateChannel creates a public or private channel; its creator is its
// first admin.
func (s *Service) CreateChannel(ctx context.Context, p *app.Principal, in ChannelInput) (*ChannelView, error) {
	if err := authz.RequireGlobal(p, authz.CreateResources); err != nil {
		return nil, err
	}
	name, err := cleanName(in.Name)
	if err != nil {
		return nil, err
	}
	kind := in.Visibility
	if kind == "" {
		kind = KindPublic
	}
	if kind != KindPublic && kind != KindPrivate {
		return nil, app.Invalid("visibility", "Visibility must be public or private.")
	}
	topic, err := cleanText("topic", in.Topic, MaxTopic, false)
	if err != nil {
		return nil, err
	}
	purpose, err := cleanText("purpose", in.Purpose, MaxPurpose, false)
	if err != nil {
		return nil, err
	}
	var ch *Channel
	err = s.store.Update(ctx, func(tx Tx) error {
		now := tx.Now()
		ch = &Channel{ID: app.NewID(), Kind: kind, Name: name, Topic: topic, Purpose: purpose, CreatedBy: p.User.ID,
			CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := tx.CreateChannel(ctx, ch); err != nil {
			return err
		}
		if _, err := putMember(ctx, tx, ch, p.User.ID, RoleAdmin); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, channelEvent(EventChannelCreated, ch, nil))
	})
	s.members.invalidate(ch.channelID())
	if err != nil {
		return nil, err
	}
	return s.GetChannel(ctx, p, ch.ID)
}

func (c *Channel) channelID() string {
	if c == nil {
		return ""
	}
	return c.ID
}

// GetChannel returns a channel with p's membership and read state.
func (s *Service) GetChannel(ctx context.Context, p *app.Principal, id string) (*ChannelView, error) {
	acc, err := s.channelFor(ctx, p, id, authz.View)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, p, acc)
}

func (s *Service) view(ctx context.Context, p *app.Principal, acc *access) (*ChannelView, error) {
	v := &ChannelView{Channel: *acc.ch, Membership: acc.member}
	n, err := s.store.CountChannelMembers(ctx, acc.ch.ID)
	if err != nil {
		return nil, err
	}
	v.MemberCount = n
	if acc.member != nil {
		if v.FirstUnreadSeq, err = s.store.FindFirstUnreadSeq(ctx, acc.ch.ID, p.User.ID, acc.member.LastReadSeq); err != nil {
			return nil, err
		}
		v.CanPost = !acc.ch.Archived() && s.can(ctx, p, acc.ch, authz.Edit)
	}
	v.CanManage = acc.ch.Kind != KindDM && s.can(ctx, p, acc.ch, authz.Manage)
	if acc.ch.Kind == KindDM {
		parts, err := s.store.FindDMParticipants(ctx, []string{acc.ch.ID})
		if err != nil {
			return nil, err
		}
		v.Participants = parts[acc.ch.ID]
	}
	return v, nil
}

// ChannelFilter selects channels for ListChannels.
type ChannelFilter struct {
	// Browse lists the channels p could join instead of p's own.
	Browse          bool
	Query           string
	IncludeArchived bool
	Limit           int
}

// ListChannels lists p's channels (not DMs) by name, or with Browse the
// public channels p has not joined and the private ones p may join
// because a team of theirs was added.
func (s *Service) ListChannels(ctx context.Context, p *app.Principal, f ChannelFilter) ([]ChannelView, error) {
	if p == nil {
		return nil, &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
	}
	if f.Browse {
		vis, err := s.authz.VisibleResources(ctx, p, authz.Channel)
		if err != nil {
			return nil, err
		}
		if !vis.All && !vis.OrgWide && len(vis.IDs) == 0 {
			return []ChannelView{}, nil
		}
		// Owners and admins browse like members: private channels appear
		// only through a grant of their own or their team's.
		granted := vis.IDs
		if vis.All {
			if granted, err = s.grantedChannelIDs(ctx, p); err != nil {
				return nil, err
			}
		}
		limit := f.Limit
		if limit <= 0 || limit > 500 {
			limit = 500
		}
		chans, err := s.store.FindBrowsableChannels(ctx, p.User.ID, granted, strings.TrimSpace(f.Query), limit)
		if err != nil {
			return nil, err
		}
		out := make([]ChannelView, 0, len(chans))
		for _, c := range chans {
			// Guests see no public channel unless granted.
			if c.Kind == KindPublic && !vis.All && !vis.OrgWide && !vis.Contains(c.Resource()) {
				continue
			}
			out = append(out, ChannelView{Channel: c})
		}
		return out, nil
	}
	chans, members, err := s.store.FindMemberChannels(ctx, p.User.ID, false, f.IncludeArchived)
	if err != nil {
		return nil, err
	}
	out := make([]ChannelView, 0, len(chans))
	for i := range chans {
		m := members[i]
		// The same answers authz gives, without a query per channel: admins
		// manage their channels, and owners and admins every public one.
		orgAdmin := p.User.Role == app.RoleOwner || p.User.Role == app.RoleAdmin
		manage := m.Role == RoleAdmin && p.User.Role != app.RoleGuest || orgAdmin && chans[i].Kind == KindPublic
		out = append(out, ChannelView{Channel: chans[i], Membership: &m, CanManage: manage, CanPost: !chans[i].Archived()})
	}
	return out, nil
}

// grantedChannelIDs are the channels granted to p's user or teams,
// whatever p's global role.
func (s *Service) grantedChannelIDs(ctx context.Context, p *app.Principal) ([]string, error) {
	q := *p
	q.User.Role = app.RoleMember
	vis, err := s.authz.VisibleResources(ctx, &q, authz.Channel)
	return vis.IDs, err
}

// UpdateChannel renames a channel (channel admins) or changes its topic
// and purpose (any member).
func (s *Service) UpdateChannel(ctx context.Context, p *app.Principal, id string, up ChannelUpdate) (*ChannelView, error) {
	if up.Version <= 0 {
		return nil, app.Invalid("version", "version is required.")
	}
	action := authz.Edit
	if up.Name != nil {
		action = authz.Manage
	}
	acc, err := s.participate(ctx, p, id, action)
	if err != nil {
		return nil, err
	}
	if acc.ch.Kind == KindDM && up.Name != nil {
		return nil, app.Invalid("name", "Direct messages have no name.")
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		ch, err := tx.FindChannelByID(ctx, id)
		if err != nil {
			return err
		}
		if ch.Version != up.Version {
			return &app.Error{Code: app.CodeConflict, Message: "The channel was changed meanwhile; reload and try again.",
				Details: map[string]any{"current_version": ch.Version}}
		}
		if up.Name != nil {
			if ch.Name, err = cleanName(*up.Name); err != nil {
				return err
			}
		}
		if up.Topic != nil {
			if ch.Topic, err = cleanText("topic", *up.Topic, MaxTopic, false); err != nil {
				return err
			}
		}
		if up.Purpose != nil {
			if ch.Purpose, err = cleanText("purpose", *up.Purpose, MaxPurpose, false); err != nil {
				return err
			}
		}
		ch.UpdatedAt, ch.Version = tx.Now(), ch.Version+1
		if err := tx.UpdateChannel(ctx, ch); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, channelEvent(EventChannelUpdated, ch, nil))
	})
	if err != nil {
		return nil, err
	}
	return s.GetChannel(ctx, p, id)
}

// SetArchived archives (read-only, hidden from the sidebar) or unarchives
// a channel. Channel admins only; audited.
func (s *Service) SetArchived(ctx context.Context, p *app.Principal, id string, archived bool, meta app.RequestMeta) (*ChannelView, error) {
	acc, err := s.channelFor(ctx, p, id, authz.Manage)
	if err != nil {
		return nil, err
	}
	if acc.ch.Kind == KindDM {
		return nil, app.Invalid("channel", "Direct messages cannot be archived.")
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		ch, err := tx.FindChannelByID(ctx, id)
		if err != nil {
			return err
		}
		if ch.Archived() == archived {
			return nil
		}
		now := tx.Now()
		typ, action := EventChannelArchived, app.ActionChannelArchived
		if archived {
			ch.ArchivedAt = now
		} else {
			ch.ArchivedAt = timeZero
			typ, action = EventChannelUnarchived, app.ActionChannelUnarchived
		}
		ch.UpdatedAt, ch.Version = now, ch.Version+1
		if err := tx.UpdateChannel(ctx, ch); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, channelEvent(typ, ch, nil)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actorEntry(p, meta, now, action, authz.Channel, ch.ID,
			map[string]any{"name": ch.Name, "kind": ch.Kind}))
	})
	if err != nil {
		return nil, err
	}
	return s.GetChannel(ctx, p, id)
}

// Join makes p a member of a public channel, or of a private one a team
// of p's was added to.
func (s *Service) Join(ctx context.Context, p *app.Principal, id string, meta app.RequestMeta) (*ChannelView, error) {
	if p == nil {
		return nil, &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
	}
	ch, err := s.store.FindChannelByID(ctx, id)
	if app.IsNotFound(err) {
		return nil, errChannelNotFound()
	}
	if err != nil {
		return nil, err
	}
	switch ch.Kind {
	case KindPublic:
		if err := s.authz.Require(ctx, p, authz.Comment, ch.Resource()); err != nil {
			return nil, err
		}
	case KindPrivate:
		m, err := s.store.FindChannelMember(ctx, ch.ID, p.User.ID)
		if err != nil {
			return nil, err
		}
		if m == nil {
			role, err := s.store.GrantedRole(ctx, p.User.ID, authz.Channel, ch.ID)
			if err != nil {
				return nil, err
			}
			if role.Rank() == 0 || p.User.Status != app.UserActive {
				return nil, errChannelNotFound()
			}
		}
		if err := s.authz.Require(ctx, p, authz.Comment, ch.Resource()); err != nil {
			return nil, err
		}
	default:
		return nil, errChannelNotFound()
	}
	if ch.Archived() {
		return nil, errArchived()
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		ch, err := tx.FindChannelByID(ctx, id)
		if err != nil {
			return err
		}
		if m, err := tx.FindChannelMember(ctx, id, p.User.ID); err != nil || m != nil {
			return err
		}
		if _, err := putMember(ctx, tx, ch, p.User.ID, RoleMember); err != nil {
			return err
		}
		return memberAdded(ctx, tx, p, meta, ch, p.User.ID, RoleMember, "join")
	})
	s.members.invalidate(id)
	if err != nil {
		return nil, err
	}
	return s.GetChannel(ctx, p, id)
}

func memberAdded(ctx context.Context, tx Tx, p *app.Principal, meta app.RequestMeta, ch *Channel, userID, role, how string) error {
	if err := tx.AppendEvent(ctx, channelEvent(EventMemberAdded, ch, map[string]any{"user_id": userID, "role": role,
		"by": p.User.ID})); err != nil {
		return err
	}
	return tx.AppendAudit(ctx, actorEntry(p, meta, tx.Now(), app.ActionChannelMemberAdded, authz.Channel, ch.ID,
		map[string]any{"user_id": userID, "role": role, "via": how}))
}

// Leave takes p out of a channel. The last admin of a channel with other
// members must hand over first.
func (s *Service) Leave(ctx context.Context, p *app.Principal, id string, meta app.RequestMeta) error {
	acc, err := s.channelFor(ctx, p, id, authz.View)
	if err != nil {
		return err
	}
	if acc.member == nil {
		return &app.Error{Code: app.CodeNotFound, Message: "You are not a member of this channel.", Err: app.ErrNotFound}
	}
	return s.removeMember(ctx, p, acc.ch, p.User.ID, meta)
}

// RemoveMember takes a user out of a channel (channel admins, or anyone
// for themselves), or, when targetID names a team added to the channel,
// withdraws the team's access (its members stay members).
func (s *Service) RemoveMember(ctx context.Context, p *app.Principal, id, targetID string, meta app.RequestMeta) error {
	if p != nil && targetID == p.User.ID {
		return s.Leave(ctx, p, id, meta)
	}
	acc, err := s.channelFor(ctx, p, id, authz.Manage)
	if err != nil {
		return err
	}
	if acc.ch.Kind == KindDM {
		return app.Invalid("user_id", "The people in a direct message cannot change; open a new one.")
	}
	m, err := s.store.FindChannelMember(ctx, id, targetID)
	if err != nil {
		return err
	}
	if m == nil {
		return s.removeTeam(ctx, p, acc.ch, targetID, meta)
	}
	return s.removeMember(ctx, p, acc.ch, targetID, meta)
}

func (s *Service) removeMember(ctx context.Context, p *app.Principal, ch *Channel, userID string, meta app.RequestMeta) error {
	if ch.Kind == KindDM {
		return app.Invalid("channel", "You cannot leave a direct message.")
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		m, err := tx.FindChannelMember(ctx, ch.ID, userID)
		if err != nil {
			return err
		}
		if m == nil {
			return &app.Error{Code: app.CodeNotFound, Message: "That user is not a member of this channel.", Err: app.ErrNotFound}
		}
		if m.Role == RoleAdmin {
			if err := lastAdminGuard(ctx, tx, ch.ID, true); err != nil {
				return err
			}
		}
		if _, err := tx.DeleteChannelMember(ctx, ch.ID, userID); err != nil {
			return err
		}
		if _, err := tx.DeleteGrant(ctx, authz.Channel, ch.ID, authz.Grantee{Type: authz.GranteeUser, ID: userID}); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, channelEvent(EventMemberRemoved, ch, map[string]any{"user_id": userID, "by": p.User.ID})); err != nil {
			return err
		}
		how := "removed"
		if userID == p.User.ID {
			how = "left"
		}
		return tx.AppendAudit(ctx, actorEntry(p, meta, tx.Now(), app.ActionChannelMemberRemoved, authz.Channel, ch.ID,
			map[string]any{"user_id": userID, "previous_role": m.Role, "via": how}))
	})
	s.members.invalidate(ch.ID)
	return err
}

// lastAdminGuard refuses to leave a channel without an admin while it has
// other members. leaving says whether the admin also leaves (else they
// are demoted).
func lastAdminGuard(ctx context.Context, tx Tx, channelID string, leaving bool) error {
	admins, err := tx.CountChannelAdmins(ctx, channelID)
	if err != nil {
		return err
	}
	if admins > 1 {
		return nil
	}
	members, err := tx.CountChannelMembers(ctx, channelID)
	if err != nil {
		return err
	}
	if leaving && members <= 1 {
		return nil
	}
	return &app.Error{Code: app.CodeConflict, Message: "This is the channel's last admin; make someone else an admin first.",
		Details: map[string]any{"reason": "last_admin"}}
}

func (s *Service) removeTeam(ctx context.Context, p *app.Principal, ch *Channel, teamID string, meta app.RequestMeta) error {
	return s.store.Update(ctx, func(tx Tx) error {
		removed, err := tx.DeleteGrant(ctx, authz.Channel, ch.ID, authz.Grantee{Type: authz.GranteeTeam, ID: teamID})
		if err != nil {
			return err
		}
		if !removed {
			return &app.Error{Code: app.CodeNotFound, Message: "That user or team is not a member of this channel.", Err: app.ErrNotFound}
		}
		if err := tx.AppendEvent(ctx, channelEvent(EventChannelUpdated, ch, map[string]any{"team_removed": teamID})); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actorEntry(p, meta, tx.Now(), app.ActionChannelTeamRemoved, authz.Channel, ch.ID,
			map[string]any{"team_id": teamID}))
	})
}

// MemberInput adds a user (with a role) or a team to a channel.
type MemberInput struct {
	UserID string
	TeamID string
	Role   string // "member" (default) or "admin"
}

// AddMembers adds a user or a team's current members to a channel, or
// changes a member's role.
//
//   - any member may add organisation members to a public or private
//     channel; adding a guest, adding a team, making someone an admin and
//     changing a role need a channel admin;
//   - adding a team adds the team's current members one by one and grants
//     the team itself, so people who join the team later may find the
//     channel and join it (they are not added automatically).
//
// It returns the IDs of the users who became members.
func (s *Service) AddMembers(ctx context.Context, p *app.Principal, id string, in MemberInput, meta app.RequestMeta) ([]string, error) {
	if (in.UserID == "") == (in.TeamID == "") {
		return nil, app.Invalid("user_id", "Send either user_id or team_id.")
	}
	role := in.Role
	if role == "" {
		role = RoleMember
	}
	if role != RoleMember && role != RoleAdmin {
		return nil, app.Invalid("role", "Role must be member or admin.")
	}
	acc, err := s.participate(ctx, p, id, authz.Edit)
	if err != nil {
		return nil, err
	}
	if acc.ch.Kind == KindDM {
		return nil, app.Invalid("user_id", "The people in a direct message cannot change; open a new one.")
	}
	canManage := s.can(ctx, p, acc.ch, authz.Manage)
	if (in.TeamID != "" || role == RoleAdmin) && !canManage {
		return nil, &app.Error{Code: app.CodeForbidden, Message: "Only channel admins can add teams or admins."}
	}
	if p.User.Role == app.RoleGuest {
		return nil, &app.Error{Code: app.CodeForbidden, Message: "Guests cannot add people to channels."}
	}
	var added []string
	err = s.store.Update(ctx, func(tx Tx) error {
		ch, err := tx.FindChannelByID(ctx, id)
		if err != nil {
			return err
		}
		if in.TeamID != "" {
			return s.addTeam(ctx, tx, p, ch, in.TeamID, meta, &added)
		}
		u, err := tx.FindUserByID(ctx, in.UserID)
		if app.IsNotFound(err) || err == nil && (u.Deleted() || u.Status != app.UserActive) {
			return app.Invalid("user_id", "No such active user.").WithCode(app.CodeNotFound)
		}
		if err != nil {
			return err
		}
		if u.Role == app.RoleGuest && !canManage {
			return &app.Error{Code: app.CodeForbidden, Message: "Only channel admins can add guests."}
		}
		before, err := tx.FindChannelMember(ctx, ch.ID, u.ID)
		if err != nil {
			return err
		}
		if before != nil {
			if before.Role == role {
				return nil
			}
			if !canManage {
				return &app.Error{Code: app.CodeForbidden, Message: "Only channel admins can change roles."}
			}
			if before.Role == RoleAdmin {
				if err := lastAdminGuard(ctx, tx, ch.ID, false); err != nil {
					return err
				}
			}
		}
		if _, err := putMember(ctx, tx, ch, u.ID, role); err != nil {
			return err
		}
		if before != nil {
			if err := tx.AppendEvent(ctx, channelEvent(EventMemberUpdated, ch, map[string]any{"user_id": u.ID, "role": role})); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, actorEntry(p, meta, tx.Now(), app.ActionChannelRoleChanged, authz.Channel, ch.ID,
				map[string]any{"user_id": u.ID, "role": role, "previous_role": before.Role}))
		}
		added = append(added, u.ID)
		return memberAdded(ctx, tx, p, meta, ch, u.ID, role, "added")
	})
	s.members.invalidate(id)
	if err != nil {
		return nil, err
	}
	if added == nil {
		added = []string{}
	}
	return added, nil
}

func (s *Service) addTeam(ctx context.Context, tx Tx, p *app.Principal, ch *Channel, teamID string, meta app.RequestMeta, added *[]string) error {
	if _, err := tx.FindTeamByID(ctx, teamID); err != nil {
		if app.IsNotFound(err) {
			return app.Invalid("team_id", "No such team.").WithCode(app.CodeNotFound)
		}
		return err
	}
	if err := tx.PutGrant(ctx, authz.Grant{ResourceType: authz.Channel, ResourceID: ch.ID,
		Grantee: authz.Grantee{Type: authz.GranteeTeam, ID: teamID}, Role: authz.Editor, GrantedAt: tx.Now()}); err != nil {
		return err
	}
	ids, err := tx.FindTeamMemberIDs(ctx, teamID)
	if err != nil {
		return err
	}
	for _, uid := range ids {
		u, err := tx.FindUserByID(ctx, uid)
		if err != nil {
			return err
		}
		if u.Deleted() || u.Status != app.UserActive {
			continue
		}
		before, err := tx.FindChannelMember(ctx, ch.ID, uid)
		if err != nil {
			return err
		}
		if before != nil {
			continue
		}
		if _, err := putMember(ctx, tx, ch, uid, RoleMember); err != nil {
			return err
		}
		*added = append(*added, uid)
		if err := tx.AppendEvent(ctx, channelEvent(EventMemberAdded, ch, map[string]any{"user_id": uid, "role": RoleMember,
			"by": p.User.ID, "team_id": teamID})); err != nil {
			return err
		}
	}
	return tx.AppendAudit(ctx, actorEntry(p, meta, tx.Now(), app.ActionChannelTeamAdded, authz.Channel, ch.ID,
		map[string]any{"team_id": teamID, "added_user_ids": *added}))
}

// Members lists a channel's members, filtered by q (name or email, for
// @mention autocomplete), with presence.
func (s *Service) Members(ctx context.Context, p *app.Principal, id, q string, limit int) ([]Member, map[string]string, error) {
	acc, err := s.channelFor(ctx, p, id, authz.View)
	if err != nil {
		return nil, nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	members, err := s.store.FindChannelMembers(ctx, acc.ch.ID, strings.TrimSpace(strings.TrimPrefix(q, "@")), limit)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.UserID
	}
	return members, s.Presence(ids), nil
}

// SetMuted mutes or unmutes a channel for p.
func (s *Service) SetMuted(ctx context.Context, p *app.Principal, id string, muted bool) error {
	acc, err := s.channelFor(ctx, p, id, authz.View)
	if err != nil {
		return err
	}
	if acc.member == nil {
		return errNotMember()
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.SetMemberMute(ctx, id, p.User.ID, muted); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, userEvent(EventPreferencesUpdated, p.User.ID, map[string]any{"channel_id": id, "muted": muted}))
	})
}
