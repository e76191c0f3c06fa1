package render

import (
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// policy is the sanitizer. It starts from bluemonday's UGC policy (the
// formatting elements of user content, http/https/mailto and relative URLs
// only, no scripts, forms, frames, objects, event handlers or style
// attributes) and adds exactly the attributes the renderer emits. Classes
// and ids are matched against what we generate, so a future extension that
// lets authors set attributes cannot smuggle in arbitrary ones.
var policy = newPolicy()

var (
	// Chroma token classes ("k", "nx", "line", "cl"), mention/wikilink
	// classes, space separated.
	classTokens = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}( [a-z][a-z0-9-]{0,30}){0,3}$`)
	// No counted repetition on the Unicode classes and "." below: Go
	// compiles {1,200} into 200 copies of a large class (megabytes of
	// program, kept for the life of the process). Lengths are bounded
	// where the values are made (maxSlugRunes, title limits), and
	// bluemonday escapes attribute values whatever they hold.
	headingID    = regexp.MustCompile(`^[\p{L}\p{N}\p{Mn}_-]+$`)
	userID       = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	langName     = regexp.MustCompile(`^[A-Za-z0-9_.+#-]{1,40}$`)
	anyTitle     = regexp.MustCompile(`(?s)^.+$`)
	languageCode = regexp.MustCompile(`^language-[A-Za-z0-9_.+#-]{1,40}$`)
)

func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.RequireParseableURLs(true)
	// Internal links (wiki links, relative URLs) are ours and followed;
	// links that leave the site open in a new tab without a referrer or
	// a window.opener, and carry no endorsement.
	p.RequireNoFollowOnLinks(false)
	p.RequireNoFollowOnFullyQualifiedLinks(true)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)

	p.AllowAttrs("id").Matching(headingID).OnElements("h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("class").Matching(classTokens).OnElements("span", "pre", "a", "div", "ul", "ol", "li")
	p.AllowAttrs("class").Matching(languageCode).OnElements("code")
	p.AllowAttrs("tabindex").Matching(regexp.MustCompile(`^0$`)).OnElements("pre")
	p.AllowAttrs("data-lang").Matching(langName).OnElements("div")
	p.AllowAttrs("data-user-id").Matching(userID).OnElements("a")
	p.AllowAttrs("data-title").Matching(anyTitle).OnElements("span")
	// Task lists: read-only checkboxes.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^(|checked|disabled)$`)).OnElements("input")
	p.AllowElements("div", "span")
	return p
}
