// Package kb is the knowledge base: spaces, nested documents, versions,
// tags, categories, templates, drafts, share links, import/export and trash.
package kb

// Service runs the knowledge-base use-cases.
type Service struct{}
