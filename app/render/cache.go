package render

import (
	"container/list"
	"crypto/sha256"
	"sync"
)

// Caches, all bounded by bytes and evicting the least recently used entry.
// Together about 80 MiB at most.
var (
	// results: whole renders, by sha256(prefix, markdown), valid while the
	// resolvers give the answers they gave then.
	results = newLRU[*resultEntry](32<<20, (*resultEntry).size)
	// blocks: sanitized HTML of one top-level block, by its unsanitized
	// HTML. Sanitizing is a pure function of its input.
	blocks = newLRU[string](16<<20, func(v string) int { return len(v) })
)

type resultEntry struct {
	res      Result
	links    []askedLink
	mentions []askedMention
}

func (e *resultEntry) size() int {
	n := len(e.res.HTML) + 256
	for _, h := range e.res.Headings {
		n += len(h.Text) + len(h.ID) + 32
	}
	for _, l := range e.links {
		n += len(l.title) + len(l.answer.url) + 32
	}
	for _, m := range e.mentions {
		n += len(m.handle) + len(m.answer.userID) + len(m.answer.display) + 48
	}
	return n
}

// valid asks the resolvers every question the render asked, in the same
// order: the same answers mean the same output.
func (e *resultEntry) valid(opts Options) bool {
	for _, l := range e.links {
		if resolveLink(opts, l.title) != l.answer {
			return false
		}
	}
	for _, m := range e.mentions {
		if resolveMention(opts, m.handle) != m.answer {
			return false
		}
	}
	return true
}

func resultKey(markdown, prefix string) string {
	h := sha256.New()
	h.Write([]byte(prefix))
	h.Write([]byte{0})
	h.Write([]byte(markdown))
	return string(h.Sum(nil))
}

// sanitizeBlock is policy.SanitizeBytes through the blocks cache.
func sanitizeBlock(raw []byte) string {
	if v, ok := blocks.getBytes(raw); ok {
		return v
	}
	v := string(policy.SanitizeBytes(raw))
	blocks.put(string(raw), v)
	return v
}

// setCaching turns every cache on or off (benchmarks measure both).
func setCaching(on bool) {
	for _, c := range []interface{ setOff(bool) }{results, sectionCache, blocks, codeCache} {
		c.setOff(!on)
	}
}

type lru[V any] struct {
	mu     sync.Mutex
	max    int
	used   int
	sizeOf func(V) int
	order  *list.List // front: most recent
	items  map[string]*list.Element
	off    bool
}

type lruEntry[V any] struct {
	key  string
	val  V
	size int
}

func newLRU[V any](max int, sizeOf func(V) int) *lru[V] {
	return &lru[V]{max: max, sizeOf: sizeOf, order: list.New(), items: map[string]*list.Element{}}
}

func (c *lru[V]) get(k string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hit(c.items[k])
}

// getBytes looks up without copying the key.
func (c *lru[V]) getBytes(k []byte) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hit(c.items[string(k)])
}

func (c *lru[V]) hit(e *list.Element) (V, bool) {
	var zero V
	if c.off || e == nil {
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry[V]).val, true
}

func (c *lru[V]) put(k string, v V) {
	n := len(k) + c.sizeOf(v) + 64
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.off || n > c.max/8 {
		return
	}
	if e, ok := c.items[k]; ok {
		old := e.Value.(*lruEntry[V])
		c.used += n - old.size
		old.val, old.size = v, n
		c.order.MoveToFront(e)
	} else {
		c.items[k] = c.order.PushFront(&lruEntry[V]{k, v, n})
		c.used += n
	}
	for c.used > c.max {
		e := c.order.Back()
		ent := e.Value.(*lruEntry[V])
		c.order.Remove(e)
		delete(c.items, ent.key)
		c.used -= ent.size
	}
}

func (c *lru[V]) setOff(off bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off = off
	if off {
		c.order.Init()
		clear(c.items)
		c.used = 0
	}
}
