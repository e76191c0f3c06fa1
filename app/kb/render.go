package kb

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"nexus/app"
	"nexus/app/authz"
	"nexus/app/render"
)

// DocumentURL is where the web app shows a document; [[links]] point there.
func DocumentURL(id string) string { return "/kb/doc/" + id }

// linkResolver resolves [[titles]] for one reader: a document of the same
// space first, then of any other space the reader may see. It remembers
// every answer, for the render cache key and for storing backlinks.
type linkResolver struct {
	ctx     context.Context
	store   Store
	spaceID string
	vis     authz.Visible
	found   map[string]DocRef // title → document ("" ID: no match)
	order   []string
	err     error
}

func (r *linkResolver) resolve(title string) (DocRef, bool) {
	if ref, ok := r.found[title]; ok {
		return ref, ref.ID != ""
	}
	ref, ok, err := r.store.FindDocumentByTitle(r.ctx, strings.TrimSpace(title), r.spaceID, r.vis)
	if err != nil && r.err == nil {
		r.err = err
	}
	if !ok {
		ref = DocRef{}
	}
	r.found[title] = ref
	r.order = append(r.order, title)
	return ref, ok
}

func (r *linkResolver) option(title string) (string, bool) {
	ref, ok := r.resolve(title)
	if !ok {
		return "", false
	}
	return DocumentURL(ref.ID), true
}

// signature identifies the resolutions of titles, for the cache key.
func (r *linkResolver) signature(titles []string) string {
	var b strings.Builder
	for _, t := range titles {
		ref, _ := r.resolve(t)
		b.WriteString(ref.ID)
		b.WriteByte(',')
	}
	return b.String()
}

func (s *Service) newLinkResolver(ctx context.Context, p *app.Principal, spaceID string) (*linkResolver, error) {
	vis, err := s.authz.VisibleResources(ctx, p, authz.Space)
	if err != nil {
		return nil, err
	}
	return s.linkResolverFor(ctx, vis, spaceID), nil
}

func (s *Service) linkResolverFor(ctx context.Context, vis authz.Visible, spaceID string) *linkResolver {
	return &linkResolver{ctx: ctx, store: s.store, spaceID: spaceID, vis: vis, found: map[string]DocRef{}}
}

// resolveMention maps an @handle to a user.
func (s *Service) resolveMention(ctx context.Context, errp *error) func(string) (string, string, bool) {
	return func(handle string) (string, string, bool) {
		u, ok, err := s.store.FindUserByHandle(ctx, handle)
		if err != nil && *errp == nil {
			*errp = err
		}
		return u.ID, u.Name, ok
	}
}

// headingPrefix keeps heading anchors clear of the app's own element IDs.
const headingPrefix = "h-"

// renderFor renders a document body for reader p. Bodies of a version never
// change, so the result is cached by document, version and how its
// [[links]] resolve for this reader (the only part that depends on who
// reads: another space's document may be visible to one reader and not to
// another).
func (s *Service) renderFor(ctx context.Context, p *app.Principal, docID string, version int64, spaceID, body string) (render.Result, error) {
	vis, err := s.authz.VisibleResources(ctx, p, authz.Space)
	if err != nil {
		return render.Result{}, err
	}
	return s.renderVisible(ctx, vis, docID, version, spaceID, body)
}

// renderVisible is renderFor with the reader's visible spaces at hand.
func (s *Service) renderVisible(ctx context.Context, vis authz.Visible, docID string, version int64, spaceID, body string) (render.Result, error) {
	links := s.linkResolverFor(ctx, vis, spaceID)
	base := docID + "@" + strconv.FormatInt(version, 10)
	if titles, ok := s.renders.links(base); ok {
		key := base + "#" + links.signature(titles)
		if links.err != nil {
			return render.Result{}, links.err
		}
		if res, ok := s.renders.get(key); ok {
			return res, nil
		}
	}
	var mentionErr error
	res, err := render.Render(body, render.Options{ResolveLink: links.option,
		ResolveMention: s.resolveMention(ctx, &mentionErr), HeadingIDPrefix: headingPrefix})
	if err != nil {
		return render.Result{}, err
	}
	if links.err != nil {
		return render.Result{}, links.err
	}
	if mentionErr != nil {
		return render.Result{}, mentionErr
	}
	s.renders.put(base, res.Links, base+"#"+links.signature(res.Links), res)
	return res, nil
}

// renderCache keeps rendered documents, bounded by entries and bytes.
// Eviction is arbitrary (Go's map order): cheap, and good enough when the
// bound is far above the working set.
type renderCache struct {
	mu         sync.Mutex
	maxEntries int
	maxBytes   int
	bytes      int
	results    map[string]render.Result
	titles     map[string][]string // doc@version → its [[titles]]
}

func newRenderCache(maxEntries, maxBytes int) *renderCache {
	return &renderCache{maxEntries: maxEntries, maxBytes: maxBytes, results: map[string]render.Result{},
		titles: map[string][]string{}}
}

func (c *renderCache) links(base string) ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.titles[base]
	return t, ok
}

func (c *renderCache) get(key string) (render.Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.results[key]
	return r, ok
}

func (c *renderCache) put(base string, titles []string, key string, r render.Result) {
	size := len(r.HTML) + 256
	if size > c.maxBytes/8 {
		return // one huge document must not flush everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.results[key]; ok {
		c.bytes -= len(old.HTML) + 256
	}
	for len(c.results) >= c.maxEntries || c.bytes+size > c.maxBytes {
		for k, v := range c.results {
			delete(c.results, k)
			c.bytes -= len(v.HTML) + 256
			if b, _, _ := strings.Cut(k, "#"); b != base {
				delete(c.titles, b)
			}
			break
		}
	}
	c.titles[base] = titles
	c.results[key] = r
	c.bytes += size
}
