package chat

import (
	"context"
	"sort"
	"strings"

	"nexus/app"
)

// OpenDM returns the direct message between p and userIDs, creating it
// when it does not exist yet: the same set of people always gets the same
// DM. A DM has 2 to MaxDMPeople people including p. Guests may only open
// DMs with people they already share a channel with.
func (s *Service) OpenDM(ctx context.Context, p *app.Principal, userIDs []string) (view *ChannelView, created bool, err error) {
	if p == nil || p.User.Status != app.UserActive {
		return nil, false, &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
	}
	if !p.HasScope(app.ScopeWrite) && !p.HasScope(app.ScopeAdmin) {
		return nil, false, &app.Error{Code: app.CodeForbidden, Message: "This access token lacks the write scope.",
			Details: map[string]any{"required_scope": string(app.ScopeWrite)}}
	}
	set := map[string]bool{p.User.ID: true}
	var others []string
	for _, id := range userIDs {
		id = strings.TrimSpace(id)
		if id == "" || set[id] {
			continue
		}
		set[id] = true
		others = append(others, id)
	}
	if len(others) == 0 {
		return nil, false, app.Invalid("user_ids", "Name at least one other person.")
	}
	if len(set) > MaxDMPeople {
		return nil, false, app.Invalid("user_ids", "A direct message has at most 8 people, including you.").WithDetail("max", MaxDMPeople)
	}
	people := make([]string, 0, len(set))
	for id := range set {
		people = append(people, id)
	}
	sort.Strings(people)
	key := strings.Join(people, ",")
	var ch *Channel
	err = s.store.Update(ctx, func(tx Tx) error {
		existing, err := tx.FindChannelByDMKey(ctx, key)
		if err != nil {
			return err
		}
		if existing != nil {
			ch = existing
			return nil
		}
		for _, id := range others {
			u, err := tx.FindUserByID(ctx, id)
			if app.IsNotFound(err) || err == nil && (u.Deleted() || u.Status != app.UserActive) {
				return app.Invalid("user_ids", "No such active user.").WithCode(app.CodeNotFound).WithDetail("user_id", id)
			}
			if err != nil {
				return err
			}
		}
		if p.User.Role == app.RoleGuest {
			ok, err := tx.SharesChannel(ctx, p.User.ID, others)
			if err != nil {
				return err
			}
			if !ok {
				return &app.Error{Code: app.CodeForbidden, Message: "Guests can message only people they share a channel with."}
			}
		}
		now := tx.Now()
		ch = &Channel{ID: app.NewID(), Kind: KindDM, CreatedBy: p.User.ID, CreatedAt: now, UpdatedAt: now, Version: 1, DMKey: key}
		if err := tx.CreateChannel(ctx, ch); err != nil {
			return err
		}
		for _, id := range people {
			if _, err := putMember(ctx, tx, ch, id, RoleMember); err != nil {
				return err
			}
		}
		created = true
		data := channelData(ch)
		data["user_ids"] = people
		return tx.AppendEvent(ctx, channelEvent(EventChannelCreated, ch, data))
	})
	if ch != nil {
		s.members.invalidate(ch.ID)
	}
	if err != nil {
		return nil, false, err
	}
	view, err = s.GetChannel(ctx, p, ch.ID)
	return view, created, err
}

// ListDMs lists p's direct messages, most recently active first, with
// their participants.
func (s *Service) ListDMs(ctx context.Context, p *app.Principal) ([]ChannelView, error) {
	if p == nil {
		return nil, &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
	}
	chans, members, err := s.store.FindMemberChannels(ctx, p.User.ID, true, false)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(chans))
	for i := range chans {
		ids[i] = chans[i].ID
	}
	parts, err := s.store.FindDMParticipants(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]ChannelView, 0, len(chans))
	for i := range chans {
		m := members[i]
		out = append(out, ChannelView{Channel: chans[i], Membership: &m, Participants: parts[chans[i].ID], CanPost: true})
	}
	return out, nil
}
