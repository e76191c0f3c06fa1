package chat

import (
	"context"
	"errors"
	"sync"

	"nexus/app"
	"nexus/app/authz"
)

// access is what p may do in one channel, resolved once per request.
type access struct {
	ch     *Channel
	member *Member // nil when p is not a member
}

// channelFor loads a channel and checks that p may do a on it:
//
//   - private channels and DMs exist only for their members: anyone else,
//     organisation owners and admins included, gets not_found;
//   - then authz decides by role (viewer on public channels for
//     organisation members, editor for channel members, manager for channel
//     admins and, on public channels, organisation owners and admins).
func (s *Service) channelFor(ctx context.Context, p *app.Principal, channelID string, a authz.Action) (*access, error) {
	if p == nil {
		return nil, &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
	}
	ch, m, granted, err := s.store.FindChannelForUser(ctx, channelID, p.User.ID)
	if app.IsNotFound(err) {
		return nil, errChannelNotFound()
	}
	if err != nil {
		return nil, err
	}
	if ch.Kind != KindPublic && m == nil {
		return nil, errChannelNotFound()
	}
	// The granted role came with the channel, so the check is authz's
	// decision without a second query.
	if err := authz.RequireGranted(p, a, ch.Resource(), granted); err != nil {
		return nil, err
	}
	return &access{ch: ch, member: m}, nil
}

// participate is channelFor for writing in the channel: p must be a
// member and the channel not archived. One permission check decides.
func (s *Service) participate(ctx context.Context, p *app.Principal, channelID string, a authz.Action) (*access, error) {
	acc, err := s.channelFor(ctx, p, channelID, a)
	if err != nil {
		var ae *app.Error
		if errors.As(err, &ae) && ae.Code == app.CodeForbidden && ae.Details["required_scope"] == nil {
			if m, ferr := s.store.FindChannelMember(ctx, channelID, p.User.ID); ferr == nil && m == nil {
				// A public channel one may read but has not joined.
				return nil, errNotMember()
			}
		}
		return nil, err
	}
	if acc.member == nil {
		return nil, errNotMember()
	}
	if acc.ch.Archived() {
		return nil, errArchived()
	}
	return acc, nil
}

// messageFor loads a message and checks a on its channel.
func (s *Service) messageFor(ctx context.Context, p *app.Principal, messageID string, a authz.Action, write bool) (*Message, *access, error) {
	m, err := s.store.FindMessageByID(ctx, messageID)
	if app.IsNotFound(err) {
		return nil, nil, errMessageNotFound()
	}
	if err != nil {
		return nil, nil, err
	}
	var acc *access
	if write {
		acc, err = s.participate(ctx, p, m.ChannelID, a)
	} else {
		acc, err = s.channelFor(ctx, p, m.ChannelID, a)
	}
	if app.IsNotFound(err) {
		// Never say that the channel exists when the message does.
		return nil, nil, errMessageNotFound()
	}
	if err != nil {
		return nil, nil, err
	}
	return m, acc, nil
}

// can reports whether p may do a on the channel (no error for "no").
func (s *Service) can(ctx context.Context, p *app.Principal, ch *Channel, a authz.Action) bool {
	ok, err := s.authz.Can(ctx, p, a, ch.Resource())
	return err == nil && ok
}

// memberCache answers "is this user a member of this channel" for
// realtime delivery, which asks once per connection per event. Each
// channel's member set is read from SQLite on first use and dropped
// synchronously (before the changing request returns) when chat changes
// the channel's membership in this process — the only process that writes
// the database — so a removed member stops receiving at once.
//
// A load that raced with an invalidation is not kept: each entry records
// the channel's generation when the load began, and invalidation bumps it.
type memberCache struct {
	store Store
	mu    sync.RWMutex
	sets  map[string]map[string]struct{}
	gen   map[string]uint64
}

func newMemberCache(st Store) *memberCache {
	return &memberCache{store: st, sets: map[string]map[string]struct{}{}, gen: map[string]uint64{}}
}

// maxCachedChannels bounds the cache; past it, everything is dropped and
// reloaded on demand (cheap: one indexed query per channel).
const maxCachedChannels = 20000

func (c *memberCache) isMember(ctx context.Context, channelID, userID string) (bool, error) {
	c.mu.RLock()
	set, ok := c.sets[channelID]
	gen := c.gen[channelID]
	c.mu.RUnlock()
	if ok {
		_, in := set[userID]
		return in, nil
	}
	ids, err := c.store.FindChannelMemberIDs(ctx, channelID)
	if err != nil {
		return false, err
	}
	set = make(map[string]struct{}, len(ids))
	for _, id := range ids {
		set[id] = struct{}{}
	}
	c.mu.Lock()
	if c.gen[channelID] == gen {
		if len(c.sets) >= maxCachedChannels {
			c.sets = map[string]map[string]struct{}{}
		}
		c.sets[channelID] = set
	}
	c.mu.Unlock()
	_, in := set[userID]
	return in, nil
}

// memberIDs lists a channel's members from the same cache as isMember.
func (c *memberCache) memberIDs(ctx context.Context, channelID string) ([]string, error) {
	c.mu.RLock()
	set, ok := c.sets[channelID]
	c.mu.RUnlock()
	if !ok {
		// Load (and cache) through isMember; the user id does not matter.
		if _, err := c.isMember(ctx, channelID, ""); err != nil {
			return nil, err
		}
		c.mu.RLock()
		set, ok = c.sets[channelID]
		c.mu.RUnlock()
		if !ok {
			// Invalidated while loading: read it directly this once.
			return c.store.FindChannelMemberIDs(ctx, channelID)
		}
	}
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	return ids, nil
}

// invalidate drops a channel's member set; call it after the transaction
// that changed the membership committed.
func (c *memberCache) invalidate(channelID string) {
	c.mu.Lock()
	delete(c.sets, channelID)
	c.gen[channelID]++
	c.mu.Unlock()
}
