// Package files is attachments: uploads checked by content, stored once per
// content in the encrypted blob store, and served with safe headers.
package files

// Service runs the attachment use-cases.
type Service struct{}
